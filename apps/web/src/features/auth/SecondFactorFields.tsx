import { Anchor, TextInput } from '@mantine/core';

/** SecondFactor is what the user offers: a code from the app, or (device lost) a recovery code. */
export type SecondFactorMode = 'code' | 'recoveryCode';

/**
 * SecondFactorFields is the one input for a second factor, with a link to switch between a code from the
 * authenticator app and a recovery code. `errors` is keyed by field (`code`, `recoveryCode`).
 */
export function SecondFactorFields(props: {
  mode: SecondFactorMode;
  onModeChange: (mode: SecondFactorMode) => void;
  value: string;
  onChange: (value: string) => void;
  errors: Record<string, string | undefined>;
  autoFocus?: boolean;
}) {
  const { mode, value, onChange, errors } = props;
  const other: SecondFactorMode = mode === 'code' ? 'recoveryCode' : 'code';
  const switcher = (
    <Anchor
      component="button"
      type="button"
      size="xs"
      onClick={() => {
        onChange('');
        props.onModeChange(other);
      }}
    >
      {mode === 'code' ? 'Use a recovery code instead' : 'Use a code from the app instead'}
    </Anchor>
  );
  return mode === 'code' ? (
    <TextInput
      label="Code from your authenticator app"
      description={switcher}
      placeholder="123 456"
      inputMode="numeric"
      autoComplete="one-time-code"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={errors.code}
      aria-invalid={errors.code ? true : undefined}
      autoFocus={props.autoFocus}
      data-autofocus={props.autoFocus}
    />
  ) : (
    <TextInput
      label="Recovery code"
      description={switcher}
      placeholder="k7m2-qx9f-dz4a-8wpe"
      autoComplete="off"
      spellCheck={false}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={errors.recoveryCode}
      aria-invalid={errors.recoveryCode ? true : undefined}
      autoFocus={props.autoFocus}
    />
  );
}

import { useState, type FormEvent } from 'react';
import { Button, Code, CopyButton, Group, Stack, Text, TextInput } from '@mantine/core';
import { ZConfirmTwoFactorRequest, ZStartTwoFactorRequest, type TTwoFactorEnrolment } from '@berth/contracts';
import { ApiError } from '../../api';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { PasswordField } from '../../ui/PasswordField';
import { QrCode } from '../../ui/QrCode';
import { useConfirmEnrolment, useStartEnrolment } from '../../queries/twoFactor';

const START_FIELDS = ['currentPassword'] as const;
const CONFIRM_FIELDS = ['code'] as const;

/**
 * EnrolTwoFactor sets up two-factor sign-in in two steps: the password again (the API then hands out a new
 * secret), then a code from the authenticator app that scanned the QR code or took the key by hand. The
 * recovery codes of the answer go to `onEnabled`, which must show them.
 */
export function EnrolTwoFactor({ onEnabled }: { onEnabled: (recoveryCodes: string[]) => void }) {
  const [currentPassword, setPassword] = useState('');
  const [enrolment, setEnrolment] = useState<TTwoFactorEnrolment | null>(null);
  const [code, setCode] = useState('');
  const startForm = useFormErrors(ZStartTwoFactorRequest, { fields: START_FIELDS });
  const confirmForm = useFormErrors(ZConfirmTwoFactorRequest, { fields: CONFIRM_FIELDS });
  const start = useStartEnrolment();
  const confirm = useConfirmEnrolment();

  function submitPassword(event: FormEvent) {
    event.preventDefault();
    const input = startForm.validate({ currentPassword });
    if (!input) return;
    start.mutate(input, {
      onSuccess: (answer) => {
        setPassword('');
        setEnrolment(answer);
      },
      onError: startForm.showServerError,
    });
  }

  function submitCode(event: FormEvent) {
    event.preventDefault();
    const input = confirmForm.validate({ code });
    if (!input) return;
    confirm.mutate(input, {
      onSuccess: (answer) => onEnabled(answer.recoveryCodes),
      onError: (error) => {
        if (error instanceof ApiError && error.code === 'TOTP_ENROLMENT_NOT_STARTED') {
          // The secret expired (10 minutes) or the panel restarted: begin again from the password.
          setEnrolment(null);
          setCode('');
          startForm.showServerError(error);
          return;
        }
        confirmForm.showServerError(error);
      },
    });
  }

  if (!enrolment) {
    return (
      <form onSubmit={submitPassword} noValidate aria-label="Set up two-factor sign-in">
        <Stack maw={420} gap="sm">
          <FormAlert message={startForm.formError} />
          <PasswordField
            label="Current password"
            description="Asked again so nobody else at this browser can set it up."
            autoComplete="current-password"
            value={currentPassword}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={startForm.errors.currentPassword}
          />
          <Button type="submit" loading={start.isPending} w="fit-content">
            Set up two-factor sign-in
          </Button>
        </Stack>
      </form>
    );
  }
  const groupedKey = enrolment.secret.match(/.{1,4}/g)?.join(' ') ?? enrolment.secret;
  return (
    <form onSubmit={submitCode} noValidate aria-label="Confirm two-factor sign-in">
      <Stack gap="sm">
        <Text size="sm">
          Scan this QR code with an authenticator app (any TOTP app: Aegis, Google Authenticator, 1Password…), or type
          the key into it by hand. Then enter the 6-digit code the app shows.
        </Text>
        <Group align="flex-start" gap="lg">
          <QrCode value={enrolment.otpauthUri} label="QR code for your authenticator app" />
          <Stack gap={6} maw={420}>
            <Text size="sm" fw={500}>
              Key
            </Text>
            <Code className="mono" aria-label="Two-factor key">
              {groupedKey}
            </Code>
            <CopyButton value={enrolment.secret} timeout={2000}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" w="fit-content" color={copied ? 'green' : undefined} onClick={copy}>
                  {copied ? 'Copied' : 'Copy key'}
                </Button>
              )}
            </CopyButton>
            <Text size="sm" fw={500} mt="xs">
              Set-up link
            </Text>
            <Code
              block
              className="mono"
              aria-label="otpauth link"
              style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}
            >
              {enrolment.otpauthUri}
            </Code>
          </Stack>
        </Group>
        <FormAlert message={confirmForm.formError} />
        <TextInput
          label="Code from the app"
          placeholder="123 456"
          inputMode="numeric"
          autoComplete="one-time-code"
          maw={220}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={confirmForm.errors.code}
          aria-invalid={confirmForm.errors.code ? true : undefined}
        />
        <Group>
          <Button type="submit" loading={confirm.isPending}>
            Turn on two-factor sign-in
          </Button>
          <Button
            variant="default"
            onClick={() => {
              setEnrolment(null);
              setCode('');
              confirmForm.reset();
            }}
          >
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

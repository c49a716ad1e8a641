import { useState, type FormEvent } from 'react';
import { Anchor, Button, Stack, Text, Title } from '@mantine/core';
import { ZTotpLoginRequest, type TLoginChallenge, type TSessionResponse } from '@berth/contracts';
import { ApiError } from '../../api';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { SecondFactorFields, type SecondFactorMode } from './SecondFactorFields';
import { useTotpLogin } from '../../queries/twoFactor';

const FIELDS = ['code', 'recoveryCode'] as const;

/**
 * TotpStep is the second sign-in step for users with two-factor sign-in: the password was right, and a
 * code from the app (or a recovery code) answers the challenge. An expired or worn-out challenge sends the
 * user back to the password with the API's message.
 */
export function TotpStep({
  challenge,
  onSignedIn,
  onRestart,
}: {
  challenge: TLoginChallenge;
  onSignedIn: (session: TSessionResponse) => void;
  onRestart: (message: string | null) => void;
}) {
  const [mode, setMode] = useState<SecondFactorMode>('code');
  const [factor, setFactor] = useState('');
  const form = useFormErrors(ZTotpLoginRequest, { fields: FIELDS, codeFields: { TOTP_CODE_INVALID: mode } });
  const login = useTotpLogin();

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate(
      mode === 'code'
        ? { challenge: challenge.challenge, code: factor }
        : { challenge: challenge.challenge, recoveryCode: factor },
    );
    if (!input) return;
    login.mutate(input, {
      onSuccess: onSignedIn,
      onError: (error) => {
        if (error instanceof ApiError && error.code === 'TOTP_CHALLENGE_INVALID') onRestart(error.message);
        else form.showServerError(error);
      },
    });
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="totp-title">
      <Stack>
        <Title order={1} size="h3" id="totp-title">
          Two-factor sign-in
        </Title>
        <Text size="sm" c="dimmed">
          {mode === 'code'
            ? 'Enter the 6-digit code your authenticator app shows for Berth.'
            : 'Enter one of the recovery codes you stored when you set up two-factor sign-in. Each works once.'}
        </Text>
        <FormAlert message={form.formError} />
        <SecondFactorFields
          mode={mode}
          onModeChange={setMode}
          value={factor}
          onChange={setFactor}
          errors={form.errors}
          autoFocus
        />
        <Button type="submit" loading={login.isPending} fullWidth>
          Verify
        </Button>
        <Anchor component="button" type="button" size="sm" onClick={() => onRestart(null)}>
          Back to email and password
        </Anchor>
      </Stack>
    </form>
  );
}

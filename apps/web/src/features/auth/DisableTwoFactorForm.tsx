import { useState, type FormEvent } from 'react';
import { Button, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ZDisableTwoFactorRequest } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { PasswordField } from '../../ui/PasswordField';
import { SecondFactorFields, type SecondFactorMode } from './SecondFactorFields';
import { useDisableTwoFactor } from '../../queries/twoFactor';

const FIELDS = ['currentPassword', 'code', 'recoveryCode'] as const;

/** DisableTwoFactorForm turns two-factor sign-in off; the API wants the password and a code (or a recovery code). */
export function DisableTwoFactorForm() {
  const [currentPassword, setPassword] = useState('');
  const [mode, setMode] = useState<SecondFactorMode>('code');
  const [factor, setFactor] = useState('');
  const form = useFormErrors(ZDisableTwoFactorRequest, { fields: FIELDS });
  const disable = useDisableTwoFactor();

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate(
      mode === 'code' ? { currentPassword, code: factor } : { currentPassword, recoveryCode: factor },
    );
    if (!input) return;
    disable.mutate(input, {
      onSuccess: () =>
        notifications.show({
          color: 'green',
          message: 'Two-factor sign-in is off. Your password alone now signs you in.',
        }),
      onError: form.showServerError,
    });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Turn off two-factor sign-in">
      <Stack maw={420} gap="sm">
        <FormAlert message={form.formError} />
        <PasswordField
          label="Current password"
          autoComplete="current-password"
          value={currentPassword}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={form.errors.currentPassword}
        />
        <SecondFactorFields
          mode={mode}
          onModeChange={setMode}
          value={factor}
          onChange={setFactor}
          errors={form.errors}
        />
        <Button type="submit" color="red" variant="light" loading={disable.isPending} w="fit-content">
          Turn off two-factor sign-in
        </Button>
      </Stack>
    </form>
  );
}

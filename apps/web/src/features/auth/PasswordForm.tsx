import { useState, type FormEvent } from 'react';
import { Button, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import type { z } from 'zod';
import { ZChangePasswordRequest } from '@berth/contracts';
import { api } from '../../api';
import { PasswordField } from '../../ui/PasswordField';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';

const FIELDS = ['currentPassword', 'newPassword', 'confirm'] as const;

/** PasswordForm changes the signed-in user's password; the API ends the user's other sessions. */
export function PasswordForm() {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState<string | null>(null);
  const form = useFormErrors(ZChangePasswordRequest, {
    fields: FIELDS,
    codeFields: { INVALID_CREDENTIALS: 'currentPassword' },
  });
  const change = useMutation({
    mutationFn: (body: z.output<typeof ZChangePasswordRequest>) => api('POST', '/me/password', body),
    onSuccess: () => {
      setCurrent('');
      setNew('');
      setConfirm('');
      notifications.show({ color: 'green', message: 'Password changed. Your other sessions were signed out.' });
    },
    onError: form.showServerError,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ currentPassword, newPassword });
    const confirmProblem = newPassword !== confirm ? 'The two new passwords differ.' : null;
    setMismatch(confirmProblem);
    if (input && !confirmProblem) change.mutate(input);
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Change password">
      <Stack maw={420}>
        <FormAlert message={form.formError} />
        <PasswordField
          label="Current password"
          autoComplete="current-password"
          value={currentPassword}
          onChange={(e) => setCurrent(e.currentTarget.value)}
          error={form.errors.currentPassword}
        />
        <PasswordField
          label="New password"
          description="At least 12 characters."
          autoComplete="new-password"
          value={newPassword}
          onChange={(e) => setNew(e.currentTarget.value)}
          error={form.errors.newPassword}
        />
        <PasswordField
          label="Repeat new password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.currentTarget.value)}
          error={mismatch}
        />
        <Button type="submit" loading={change.isPending} w="fit-content">
          Change password
        </Button>
      </Stack>
    </form>
  );
}

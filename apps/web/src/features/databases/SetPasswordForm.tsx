import { useState, type FormEvent } from 'react';
import { Button, Group, Stack, Text } from '@mantine/core';
import { ZSetDatabaseUserPasswordRequest, type TDatabaseUser, type TDatabaseUserWithPassword } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { PasswordField } from '../../ui/PasswordField';
import { useSetDatabaseUserPassword } from '../../queries/databases';

const FIELDS = ['password'] as const;

/** SetPasswordForm rotates a user's password to a generated one, or sets the one typed; the answer is shown once. */
export function SetPasswordForm({
  user,
  onChanged,
  onCancel,
}: {
  user: TDatabaseUser;
  onChanged: (changed: TDatabaseUserWithPassword) => void;
  onCancel: () => void;
}) {
  const [password, setPassword] = useState('');
  const form = useFormErrors(ZSetDatabaseUserPasswordRequest, { fields: FIELDS });
  const change = useSetDatabaseUserPassword();

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate(password ? { password } : {});
    if (!input) return;
    change.mutate({ id: user.id, body: input }, { onSuccess: onChanged, onError: form.showServerError });
  }

  return (
    <form onSubmit={submit} noValidate aria-label={`New password for ${user.name}`}>
      <Stack>
        <Text size="sm">
          Apps that sign in as {user.name} with the old password stop connecting until their configuration has the new
          one.
        </Text>
        <FormAlert message={form.formError} />
        <PasswordField
          label="New password"
          description="Leave it empty to get a generated one (recommended)."
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={form.errors.password}
          autoComplete="new-password"
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={change.isPending}>
            Set new password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

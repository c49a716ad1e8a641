import { useState, type FormEvent } from 'react';
import { Button, Group, Stack, Text } from '@mantine/core';
import { ZSftpPasswordRequest } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { useSetSftpPassword } from '../../queries/sftp';
import { PasswordField } from '../../ui/PasswordField';
import { ShownOnce } from '../../ui/ShownOnce';

const FIELDS = ['password'] as const;

/**
 * SftpPasswordForm sets the SFTP password typed, or generates one and shows it once with a copy button (the
 * panel keeps only a hash: a lost password is replaced, never shown again).
 */
export function SftpPasswordForm({
  tenantId,
  login,
  onDone,
  onCancel,
}: {
  /** Operators name the tenant; account owners set their own. */
  tenantId?: string | undefined;
  login: string;
  onDone: (generated: boolean) => void;
  onCancel: () => void;
}) {
  const [password, setPassword] = useState('');
  const [generated, setGenerated] = useState<string | null>(null);
  const form = useFormErrors(ZSftpPasswordRequest, { fields: FIELDS });
  const change = useSetSftpPassword();

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ ...(tenantId ? { tenantId } : {}), ...(password ? { password } : {}) });
    if (!input) return;
    change.mutate(input, {
      onSuccess: (answer) => (password ? onDone(false) : setGenerated(answer.password)),
      onError: form.showServerError,
    });
  }

  if (generated)
    return (
      <div data-testid="sftp-password">
        <ShownOnce
          value={generated}
          label={`SFTP password of ${login}`}
          copyLabel="Copy password"
          onDone={() => onDone(true)}
          size="sm"
          justify="flex-end"
        >
          This is the only time the password is shown. Put it in your SFTP client or a password manager now; if it is
          lost, set a new one.
        </ShownOnce>
      </div>
    );

  return (
    <form onSubmit={submit} noValidate aria-label="Set SFTP password">
      <Stack>
        <Text size="sm">The old password stops working at once; SSH keys keep working.</Text>
        <FormAlert message={form.formError} />
        <PasswordField
          label="New password"
          description="Leave it empty to get a generated one (recommended), or type at least 12 characters."
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
            {password ? 'Set password' : 'Generate password'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

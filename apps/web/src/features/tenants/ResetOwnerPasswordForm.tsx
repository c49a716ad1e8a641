import { useState, type FormEvent } from 'react';
import { Button, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { ZChangeAccountPasswordRequest, type TTenant } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { useResetOwnerPassword } from '../../queries/tenants';
import { PasswordField } from '../../ui/PasswordField';
import { ShownOnce } from '../../ui/ShownOnce';
import { generatePassword } from './ownerPassword';

const FIELDS = ['password'] as const;

/**
 * ResetOwnerPasswordForm sets a new console password for the tenant's owner, generated or typed by the
 * operator; the owner's sessions end. The password is shown once, to hand over; the panel keeps only its hash.
 */
export function ResetOwnerPasswordForm({ tenant, onDone }: { tenant: TTenant; onDone: () => void }) {
  const [mode, setMode] = useState<'generate' | 'type'>('generate');
  const [typed, setTyped] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const form = useFormErrors(ZChangeAccountPasswordRequest, { fields: FIELDS });
  const reset = useResetOwnerPassword(tenant.id);

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ password: mode === 'generate' ? generatePassword() : typed });
    if (!input) return;
    reset.mutate(input.password, {
      onSuccess: () => {
        setTyped('');
        setShown(input.password);
      },
      onError: form.showServerError,
    });
  }

  if (shown !== null)
    return (
      <ShownOnce value={shown} label="New owner password" copyLabel="Copy password" onDone={onDone} size="sm">
        The password of {tenant.ownerEmail ?? 'the owner'} is now the one below; their sessions have ended. It is shown
        only this once.
      </ShownOnce>
    );

  return (
    <form onSubmit={submit} noValidate aria-label="Reset owner password">
      <Stack>
        <Text size="sm">
          Sets a new console password for {tenant.ownerEmail ?? 'the owner'}. They are signed out everywhere.
        </Text>
        <SegmentedControl
          value={mode}
          onChange={(value) => setMode(value as 'generate' | 'type')}
          data={[
            { value: 'generate', label: 'Generate one' },
            { value: 'type', label: 'Type one' },
          ]}
          aria-label="Password"
        />
        {mode === 'type' && (
          <PasswordField
            label="New password"
            description="At least 12 characters."
            autoComplete="new-password"
            value={typed}
            onChange={(event) => setTyped(event.currentTarget.value)}
            error={form.errors.password}
            data-autofocus
          />
        )}
        <FormAlert message={form.formError} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" color="red" loading={reset.isPending}>
            Reset password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

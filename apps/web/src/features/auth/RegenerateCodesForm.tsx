import { useState, type FormEvent } from 'react';
import { Button, Group, TextInput } from '@mantine/core';
import { ZRegenerateRecoveryCodesRequest } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { useRegenerateRecoveryCodes } from '../../queries/twoFactor';

const FIELDS = ['code'] as const;

/** RegenerateCodesForm replaces every recovery code (a code from the app is required) and hands the new ones up. */
export function RegenerateCodesForm({ onRegenerated }: { onRegenerated: (recoveryCodes: string[]) => void }) {
  const [code, setCode] = useState('');
  const form = useFormErrors(ZRegenerateRecoveryCodesRequest, { fields: FIELDS });
  const regenerate = useRegenerateRecoveryCodes();

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ code });
    if (!input) return;
    regenerate.mutate(input, {
      onSuccess: (answer) => {
        setCode('');
        onRegenerated(answer.recoveryCodes);
      },
      onError: form.showServerError,
    });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="New recovery codes">
      <FormAlert message={form.formError} />
      <Group align="flex-end" gap="sm">
        <TextInput
          label="Code from your authenticator app"
          placeholder="123 456"
          inputMode="numeric"
          autoComplete="one-time-code"
          w={300}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={form.errors.code}
          aria-invalid={form.errors.code ? true : undefined}
        />
        <Button type="submit" variant="default" loading={regenerate.isPending}>
          New recovery codes
        </Button>
      </Group>
    </form>
  );
}

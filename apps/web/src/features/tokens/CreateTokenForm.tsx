import { useState, type FormEvent } from 'react';
import { Button, Group, NumberInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import type { z } from 'zod';
import { TOKEN_SCOPES, ZCreateTokenRequest, type TTokenScope, type ZCreatedToken } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { numberOrUndefined } from '../../forms/numbers';
import { useFormErrors } from '../../forms/useFormErrors';
import { useCreateToken } from '../../queries/tokens';

const FIELDS = ['name', 'scope', 'expiresInDays'] as const;

/** SCOPE_LABELS says what each token scope may do. */
export const SCOPE_LABELS: Record<TTokenScope, string> = {
  read: 'read — may only read',
  full: 'full — everything you may do',
  billing: 'billing — account lifecycle only',
};

/** CreateTokenForm mints an API token and hands the one-time answer (with its secret) to the caller. */
export function CreateTokenForm({ onCreated }: { onCreated: (created: z.infer<typeof ZCreatedToken>) => void }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<TTokenScope>('read');
  const [expires, setExpires] = useState<number | string>(90);
  const form = useFormErrors(ZCreateTokenRequest, { fields: FIELDS, codeFields: { FORBIDDEN: 'scope' } });
  const create = useCreateToken();

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ name, scope, expiresInDays: numberOrUndefined(expires) });
    if (!input) return;
    create.mutate(input, {
      onSuccess: (created) => {
        setName('');
        onCreated(created);
      },
      onError: form.showServerError,
    });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Create API token">
      <Stack gap="sm">
        <FormAlert message={form.formError} />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput
            label="Name"
            placeholder="deploy script"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={form.errors.name}
          />
          <Select
            label="Scope"
            allowDeselect={false}
            data={TOKEN_SCOPES.map((s) => ({ value: s, label: SCOPE_LABELS[s] }))}
            value={scope}
            onChange={(v) => v && setScope(v as TTokenScope)}
            error={form.errors.scope}
          />
          <NumberInput
            label="Expires after (days)"
            description="Empty: never expires."
            min={1}
            max={3650}
            allowDecimal={false}
            value={expires}
            onChange={setExpires}
            error={form.errors.expiresInDays}
          />
        </SimpleGrid>
        <Group>
          <Button type="submit" loading={create.isPending}>
            Create token
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

import { useState, type FormEvent } from 'react';
import { Button, Group, Stack, Textarea, TextInput } from '@mantine/core';
import { ZAddSftpKeyRequest, type TSftpKey } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { useAddSftpKey } from '../../queries/sftp';

const FIELDS = ['name', 'publicKey'] as const;

/** AddSftpKeyForm adds an SSH public key that may sign in; what is wrong with a key is said at the key field. */
export function AddSftpKeyForm({
  tenantId,
  onAdded,
  onCancel,
}: {
  tenantId?: string | undefined;
  onAdded: (key: TSftpKey) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const form = useFormErrors(ZAddSftpKeyRequest, { fields: FIELDS });
  const add = useAddSftpKey();

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ ...(tenantId ? { tenantId } : {}), name, publicKey: publicKey.trim() });
    if (!input) return;
    add.mutate(input, { onSuccess: onAdded, onError: form.showServerError });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Add SSH key">
      <Stack>
        <FormAlert message={form.formError} />
        <TextInput
          label="Name"
          description="To tell your keys apart, e.g. Work laptop."
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={form.errors.name}
          data-autofocus
        />
        <Textarea
          label="Public key"
          description="One line from your .pub file, e.g. ~/.ssh/id_ed25519.pub. Never paste the private key."
          required
          rows={4}
          classNames={{ input: 'mono' }}
          value={publicKey}
          onChange={(e) => setPublicKey(e.currentTarget.value)}
          error={form.errors.publicKey}
          spellCheck={false}
          autoComplete="off"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={add.isPending}>
            Add key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

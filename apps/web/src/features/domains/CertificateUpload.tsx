import { useState, type FormEvent } from 'react';
import { Button, Group, Stack, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ZUploadCertificateRequest, type TDomain } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { useUploadCertificate } from '../../queries/certificates';

const FIELDS = ['certificatePem', 'privateKeyPem'] as const;

/** CertificateUpload takes a PEM chain (leaf first) and its private key for a domain with its own certificate. */
export function CertificateUpload({ domain, onDone }: { domain: TDomain; onDone: () => void }) {
  const [certificatePem, setCertificate] = useState('');
  const [privateKeyPem, setKey] = useState('');
  const form = useFormErrors(ZUploadCertificateRequest, { fields: FIELDS });
  const upload = useUploadCertificate(domain.id, domain.siteId);

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ certificatePem, privateKeyPem });
    if (!input) return;
    upload.mutate(input, {
      onSuccess: () => {
        notifications.show({ color: 'green', message: `Certificate stored for ${domain.hostname}.` });
        onDone();
      },
      onError: form.showServerError,
    });
  }

  return (
    <form onSubmit={submit} noValidate aria-label={`Upload certificate for ${domain.hostname}`}>
      <Stack gap="sm">
        <FormAlert message={form.formError} />
        <Textarea
          label="Certificate chain (PEM, leaf first)"
          autosize
          minRows={4}
          maxRows={10}
          className="mono"
          spellCheck={false}
          placeholder="-----BEGIN CERTIFICATE-----"
          value={certificatePem}
          onChange={(e) => setCertificate(e.currentTarget.value)}
          error={form.errors.certificatePem}
          data-autofocus
        />
        <Textarea
          label="Private key (PEM, unencrypted)"
          autosize
          minRows={4}
          maxRows={10}
          spellCheck={false}
          placeholder="-----BEGIN PRIVATE KEY-----"
          value={privateKeyPem}
          onChange={(e) => setKey(e.currentTarget.value)}
          error={form.errors.privateKeyPem}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={upload.isPending}>
            Store certificate
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

import { useState } from 'react';
import { Modal, Paper, Stack, Text, Title } from '@mantine/core';
import type { TDomain } from '@berth/contracts';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { EmptyNote, errorText, QueryState } from '../../ui/QueryState';
import { AddDomainForm } from './AddDomainForm';
import { CertificateUpload } from './CertificateUpload';
import { DomainsTable } from './DomainsTable';
import { useDomains, useRemoveDomain, useUpdateDomain } from '../../queries/domains';

/** DomainsPanel lists a site's domains, changes their TLS mode, adds and removes them. */
export function DomainsPanel({ siteId }: { siteId: string }) {
  const domains = useDomains(siteId);
  const update = useUpdateDomain(siteId);
  const remove = useRemoveDomain(siteId);
  const [removing, setRemoving] = useState<TDomain | null>(null);
  const [uploading, setUploading] = useState<TDomain | null>(null);

  return (
    <Stack>
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">
          Add a domain
        </Title>
        <AddDomainForm siteId={siteId} />
      </Paper>
      <QueryState query={domains} label="domains">
        {(page) =>
          page.items.length === 0 ? (
            <EmptyNote>No domains yet. Add the first one above.</EmptyNote>
          ) : (
            <DomainsTable
              domains={page.items}
              savingTls={update.isPending}
              onTlsChange={(domain, tls) => update.mutate({ id: domain.id, body: { tls } })}
              onUpload={setUploading}
              onRemove={setRemoving}
            />
          )
        }
      </QueryState>
      {update.isError && (
        <Text c="red" role="alert">
          {errorText(update.error)}
        </Text>
      )}
      <Modal
        opened={uploading !== null}
        onClose={() => setUploading(null)}
        title={`Certificate for ${uploading?.hostname ?? ''}`}
        size="lg"
      >
        {uploading && <CertificateUpload domain={uploading} onDone={() => setUploading(null)} />}
      </Modal>
      <ConfirmModal
        opened={removing !== null}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        title={`Remove ${removing?.hostname ?? ''}?`}
        confirmLabel="Remove domain"
        pending={remove.isPending}
        error={remove.error ? errorText(remove.error) : null}
        onConfirm={() => removing && remove.mutate(removing.id, { onSuccess: () => setRemoving(null) })}
      >
        Visitors to this hostname will no longer reach the site.
      </ConfirmModal>
    </Stack>
  );
}

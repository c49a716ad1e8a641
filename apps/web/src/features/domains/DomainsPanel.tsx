import { useState } from 'react';
import { Button, Group, Modal, Paper, Select, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { TLS_MODES, type TDomain, type TTlsMode } from '@berth/contracts';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { Hostname } from '../../ui/Hostname';
import { EmptyNote, errorText, QueryState } from '../../ui/QueryState';
import { AddDomainForm, TLS_LABELS } from './AddDomainForm';
import { CertificateStatus } from './CertificateStatus';
import { CertificateUpload } from './CertificateUpload';
import { DomainVerification } from './DomainVerification';
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
            <Table.ScrollContainer minWidth={720}>
              <Table aria-label="Domains" data-testid="domains-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Hostname</Table.Th>
                    <Table.Th scope="col">Kind</Table.Th>
                    <Table.Th scope="col">TLS</Table.Th>
                    <Table.Th scope="col">Certificate</Table.Th>
                    <Table.Th scope="col">
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((domain) => (
                    <Table.Tr key={domain.id}>
                      <Table.Td>
                        <Hostname hostname={domain.hostname} />
                        <DomainVerification domain={domain} />
                      </Table.Td>
                      <Table.Td>
                        {domain.kind}
                        {domain.redirectTo && (
                          <Text size="xs" c="dimmed">
                            → {domain.redirectTo} ({domain.redirectCode})
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Select
                          aria-label={`TLS mode of ${domain.hostname}`}
                          size="xs"
                          allowDeselect={false}
                          w={210}
                          data={TLS_MODES.map((m) => ({ value: m, label: TLS_LABELS[m] }))}
                          value={domain.tls}
                          disabled={update.isPending}
                          onChange={(v) =>
                            v && v !== domain.tls && update.mutate({ id: domain.id, body: { tls: v as TTlsMode } })
                          }
                        />
                      </Table.Td>
                      <Table.Td>
                        <CertificateStatus domain={domain} />
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          <Button
                            variant="subtle"
                            size="xs"
                            onClick={() => setUploading(domain)}
                            aria-label={`Upload a certificate for ${domain.hostname}`}
                          >
                            Certificate…
                          </Button>
                          <Button
                            variant="subtle"
                            color="red"
                            size="xs"
                            onClick={() => setRemoving(domain)}
                            aria-label={`Remove ${domain.hostname}`}
                          >
                            Remove
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      {update.isError && (
        <Text c="red.8" role="alert">
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

import { Button, Group, Paper, Select, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { TLS_MODES, type TDomain, type TTlsMode } from '@berth/contracts';
import { Hostname } from '../../ui/Hostname';
import { TLS_LABELS } from './AddDomainForm';
import { CertificateStatus } from './CertificateStatus';
import { DomainVerification } from './DomainVerification';

export interface DomainsTableProps {
  domains: readonly TDomain[];
  /** True while a TLS change is being saved: the TLS pickers wait for it. */
  savingTls: boolean;
  onTlsChange: (domain: TDomain, tls: TTlsMode) => void;
  onUpload: (domain: TDomain) => void;
  onRemove: (domain: TDomain) => void;
}

const TLS_OPTIONS = TLS_MODES.map((m) => ({ value: m, label: TLS_LABELS[m] }));

type RowProps = Omit<DomainsTableProps, 'domains'> & { domain: TDomain };

function TlsPicker({ domain, savingTls, onTlsChange, fullWidth }: RowProps & { fullWidth?: boolean }) {
  return (
    <Select
      aria-label={`TLS mode of ${domain.hostname}`}
      size="xs"
      allowDeselect={false}
      w={fullWidth ? '100%' : 210}
      data={TLS_OPTIONS}
      value={domain.tls}
      disabled={savingTls}
      onChange={(v) => v && v !== domain.tls && onTlsChange(domain, v as TTlsMode)}
    />
  );
}

function Kind({ domain }: { domain: TDomain }) {
  return (
    <>
      {domain.kind}
      {domain.redirectTo && (
        <Text size="xs" c="dimmed">
          → {domain.redirectTo} ({domain.redirectCode})
        </Text>
      )}
    </>
  );
}

/** Actions are a row's buttons; each accessible name starts with the visible label, then names the hostname. */
function Actions({ domain, onUpload, onRemove }: RowProps) {
  return (
    <Group gap={4} wrap="nowrap">
      <Button
        variant="subtle"
        size="xs"
        onClick={() => onUpload(domain)}
        aria-label={`Upload certificate for ${domain.hostname}`}
      >
        Upload certificate
      </Button>
      <Button
        variant="subtle"
        color="red"
        size="xs"
        onClick={() => onRemove(domain)}
        aria-label={`Remove ${domain.hostname}`}
      >
        Remove
      </Button>
    </Group>
  );
}

/** DomainCards is the phone layout: one card per hostname, its TLS picker and buttons in view at 375 px. */
function DomainCards(props: DomainsTableProps) {
  const { domains, ...row } = props;
  return (
    <Stack gap="sm" role="list" aria-label="Domains" data-testid="domains-table">
      {domains.map((domain) => (
        <Paper key={domain.id} withBorder p="sm" role="listitem" data-hostname={domain.hostname}>
          <Stack gap={6}>
            <Hostname hostname={domain.hostname} />
            <DomainVerification domain={domain} />
            <Text size="sm" component="div">
              <Kind domain={domain} />
            </Text>
            <TlsPicker domain={domain} {...row} fullWidth />
            <CertificateStatus domain={domain} />
            <Actions domain={domain} {...row} />
          </Stack>
        </Paper>
      ))}
    </Stack>
  );
}

/**
 * DomainsTable lists a site's hostnames with their kind, TLS mode, certificate and buttons; on a phone as
 * cards, so the buttons are never scrolled out of view. Hostnames never wrap mid-name (Hostname).
 */
export function DomainsTable(props: DomainsTableProps) {
  const phone = useMediaQuery('(max-width: 36em)');
  const { domains, ...row } = props;
  if (phone) return <DomainCards {...props} />;
  return (
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
          {domains.map((domain) => (
            <Table.Tr key={domain.id} data-hostname={domain.hostname}>
              <Table.Td>
                <Hostname hostname={domain.hostname} />
                <DomainVerification domain={domain} />
              </Table.Td>
              <Table.Td>
                <Kind domain={domain} />
              </Table.Td>
              <Table.Td>
                <TlsPicker domain={domain} {...row} />
              </Table.Td>
              <Table.Td>
                <CertificateStatus domain={domain} />
              </Table.Td>
              <Table.Td>
                <Actions domain={domain} {...row} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

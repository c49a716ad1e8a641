import { Anchor, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link } from 'react-router';
import type { TSite, TTenant } from '@berth/contracts';
import { Hostname } from '../../ui/Hostname';
import { EmptyNote } from '../../ui/QueryState';
import { runtimeLabel } from './runtimeLabel';
import { statusMessageColor } from './siteStatus';
import { SiteStatusBadge } from './SiteStatusBadge';

export interface SitesTableProps {
  sites: TSite[];
  /** Tenants by id, to show which account a site belongs to (operators only). */
  tenants?: Map<string, TTenant>;
  empty: string;
}

/** SiteCards is the phone layout of the list: one card per site, status first. */
function SiteCards({ sites, tenants }: Omit<SitesTableProps, 'empty'>) {
  return (
    <Stack gap="sm" data-testid="sites-table" role="list" aria-label="Sites">
      {sites.map((site) => (
        <Paper key={site.id} withBorder p="sm" role="listitem" data-site-name={site.name}>
          <Group justify="space-between" wrap="nowrap">
            <Anchor component={Link} to={`/sites/${site.id}`} fw={600}>
              {site.name}
            </Anchor>
            <SiteStatusBadge status={site.status} />
          </Group>
          {site.statusMessage && (
            <Text size="xs" c={statusMessageColor(site.status)} mt={4}>
              {site.statusMessage}
            </Text>
          )}
          <Text size="sm" mt={4} data-testid="site-runtime">
            {runtimeLabel(site.runtime)}
          </Text>
          {tenants && (
            <Text size="sm" c="dimmed">
              Tenant {tenants.get(site.tenantId)?.slug ?? site.tenantId}
            </Text>
          )}
          {site.domains.map((d) => (
            <Hostname key={d} hostname={d} />
          ))}
        </Paper>
      ))}
    </Stack>
  );
}

/** SitesTable lists sites with their status, failure message, runtime and domains (as cards on a phone). */
export function SitesTable({ sites, tenants, empty }: SitesTableProps) {
  const phone = useMediaQuery('(max-width: 36em)');
  if (sites.length === 0) return <EmptyNote>{empty}</EmptyNote>;
  if (phone) return <SiteCards sites={sites} tenants={tenants} />;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped highlightOnHover aria-label="Sites" data-testid="sites-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Site</Table.Th>
            {tenants && <Table.Th scope="col">Tenant</Table.Th>}
            <Table.Th scope="col">Runtime</Table.Th>
            <Table.Th scope="col">Domains</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sites.map((site) => (
            <Table.Tr key={site.id} data-site-name={site.name}>
              <Table.Td>
                <Anchor component={Link} to={`/sites/${site.id}`} fw={600}>
                  {site.name}
                </Anchor>
              </Table.Td>
              {tenants && (
                <Table.Td>
                  <Anchor component={Link} to={`/tenants/${site.tenantId}`}>
                    {tenants.get(site.tenantId)?.slug ?? site.tenantId}
                  </Anchor>
                </Table.Td>
              )}
              <Table.Td data-testid="site-runtime">{runtimeLabel(site.runtime)}</Table.Td>
              <Table.Td>
                {site.domains.length === 0 ? (
                  <Text c="dimmed" size="sm">
                    none yet
                  </Text>
                ) : (
                  <Stack gap={0}>
                    {site.domains.map((d) => (
                      <Hostname key={d} hostname={d} />
                    ))}
                  </Stack>
                )}
              </Table.Td>
              <Table.Td>
                <SiteStatusBadge status={site.status} />
                {site.statusMessage && (
                  <Text size="xs" c={statusMessageColor(site.status)} mt={4}>
                    {site.statusMessage}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

import { useMemo, useState } from 'react';
import { Anchor, Table, TextInput } from '@mantine/core';
import { Link } from 'react-router';
import { Hostname } from '../ui/Hostname';
import { PageHeader } from '../ui/PageHeader';
import { EmptyNote, QueryState } from '../ui/QueryState';
import { SiteStatusBadge } from '../features/sites/SiteStatusBadge';
import { useSites } from '../queries/sites';
import { useTenants } from '../queries/tenants';

/**
 * DomainsPage is the operator's index of every hostname on the panel and the site it serves. The API has
 * no panel-wide domain list yet, so it is read from the sites list (hostnames only); TLS and certificate
 * details are on each site's Domains tab.
 */
export function DomainsPage() {
  const sites = useSites({});
  const tenants = useTenants({ limit: 500 });
  const [q, setQ] = useState('');
  const slugs = useMemo(() => new Map((tenants.data?.items ?? []).map((t) => [t.id, t.slug])), [tenants.data]);
  return (
    <>
      <PageHeader title="Domains" description="Every hostname on this panel and the site it points to." />
      <TextInput label="Search hostnames" value={q} onChange={(e) => setQ(e.currentTarget.value)} maw={320} mb="md" />
      <QueryState query={sites} label="domains">
        {(page) => {
          const rows = page.items
            .flatMap((site) => site.domains.map((hostname) => ({ hostname, site })))
            .filter((row) => row.hostname.includes(q.trim().toLowerCase()));
          if (rows.length === 0)
            return (
              <EmptyNote>{q ? 'No hostname matches.' : 'No domains yet; tenants add them to their sites.'}</EmptyNote>
            );
          return (
            <Table.ScrollContainer minWidth={520}>
              <Table striped aria-label="Domains">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Hostname</Table.Th>
                    <Table.Th scope="col">Site</Table.Th>
                    <Table.Th scope="col">Tenant</Table.Th>
                    <Table.Th scope="col">Site status</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map(({ hostname, site }) => (
                    <Table.Tr key={hostname}>
                      <Table.Td>
                        <Hostname hostname={hostname} />
                      </Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/sites/${site.id}?tab=domains`}>
                          {site.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/tenants/${site.tenantId}`}>
                          {slugs.get(site.tenantId) ?? site.tenantId}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <SiteStatusBadge status={site.status} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          );
        }}
      </QueryState>
    </>
  );
}

import { useMemo, useState } from 'react';
import { Anchor, Button, Group, Modal, Pagination, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { Link, useNavigate } from 'react-router';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyNote, QueryState } from '../../ui/QueryState';
import { usePlans } from '../../queries/plans';
import { CreateTenantForm } from './CreateTenantForm';
import { TenantStatusBadge } from './TenantStatusBadge';
import { useTenants } from '../../queries/tenants';

const PAGE = 20;

/** TenantsPage searches and pages through hosting accounts and opens new ones. */
export function TenantsPage() {
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const [status, setStatus] = useState<'active' | 'suspended' | undefined>();
  const [page, setPage] = useState(1);
  const tenants = useTenants({ q: debounced || undefined, status, limit: PAGE, offset: (page - 1) * PAGE });
  const plans = usePlans();
  const planNames = useMemo(() => new Map((plans.data?.items ?? []).map((p) => [p.id, p.name])), [plans.data]);
  const [creating, { open, close }] = useDisclosure(false);

  return (
    <>
      <PageHeader
        title="Tenants"
        description="Hosting accounts, their plan and owner."
        actions={<Button onClick={open}>Create tenant</Button>}
      />
      <Group mb="md" gap="sm" align="flex-end">
        <TextInput
          label="Search"
          placeholder="slug or name"
          value={q}
          w={240}
          type="search"
          onChange={(e) => {
            setQ(e.currentTarget.value);
            setPage(1);
          }}
        />
        <Select
          label="Status"
          placeholder="Any status"
          clearable
          w={160}
          data={['active', 'suspended']}
          value={status ?? null}
          onChange={(v) => {
            setStatus((v as 'active' | 'suspended' | null) ?? undefined);
            setPage(1);
          }}
        />
      </Group>
      <QueryState query={tenants} label="tenants">
        {(data) =>
          data.items.length === 0 ? (
            <EmptyNote>
              {debounced || status ? 'No tenant matches.' : 'No tenants yet. Create the first one.'}
            </EmptyNote>
          ) : (
            <>
              <Table.ScrollContainer minWidth={640}>
                <Table striped highlightOnHover aria-label="Tenants" data-testid="tenants-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Slug</Table.Th>
                      <Table.Th scope="col">Name</Table.Th>
                      <Table.Th scope="col">Plan</Table.Th>
                      <Table.Th scope="col">Owner</Table.Th>
                      <Table.Th scope="col">Sites</Table.Th>
                      <Table.Th scope="col">Status</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((tenant) => (
                      <Table.Tr key={tenant.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/tenants/${tenant.id}`} fw={600}>
                            {tenant.slug}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{tenant.name}</Table.Td>
                        <Table.Td>{planNames.get(tenant.planId) ?? '…'}</Table.Td>
                        <Table.Td>
                          <Text size="sm" className="mono">
                            {tenant.ownerEmail ?? '—'}
                          </Text>
                        </Table.Td>
                        <Table.Td>{tenant.siteCount}</Table.Td>
                        <Table.Td>
                          <TenantStatusBadge status={tenant.status} />
                          {tenant.suspendedReason && (
                            <Text size="xs" c="dimmed" lineClamp={2} maw={260} title={tenant.suspendedReason}>
                              {tenant.suspendedReason}
                            </Text>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Group justify="space-between" mt="md">
                <Text size="sm" c="dimmed">
                  {data.total} tenant{data.total === 1 ? '' : 's'}
                </Text>
                {data.total > PAGE && (
                  <Pagination total={Math.ceil(data.total / PAGE)} value={page} onChange={setPage} size="sm" />
                )}
              </Group>
            </>
          )
        }
      </QueryState>
      <Modal opened={creating} onClose={close} title="Create tenant" size="lg">
        <CreateTenantForm
          onCancel={close}
          onCreated={(tenant) => {
            close();
            void navigate(`/tenants/${tenant.id}`);
          }}
        />
      </Modal>
    </>
  );
}

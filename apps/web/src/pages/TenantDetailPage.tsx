import { Alert, Button, Group, Modal, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useNavigate, useParams } from 'react-router';
import { isNotFound } from '../api';
import { formatDate } from '../ui/dates';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { EventsTable } from '../features/events/EventsTable';
import { useEvents } from '../queries/events';
import { NotFoundPage } from '../features/shell/NotFoundPage';
import { CreateSiteForm } from '../features/sites/CreateSiteForm';
import { SitesTable } from '../features/sites/SitesTable';
import { useSites } from '../queries/sites';
import { TenantEditForm } from '../features/tenants/TenantEditForm';
import { TenantLifecycle } from '../features/tenants/TenantLifecycle';
import { TenantOperatorTools } from '../features/tenants/TenantOperatorTools';
import { TenantStatusBadge } from '../features/tenants/TenantStatusBadge';
import { useTenant } from '../queries/tenants';

/**
 * TenantDetailPage is one hosting account for the operator: settings, support tools (sign in as the tenant,
 * reset the owner's password), lifecycle, sites and recent events.
 */
export function TenantDetailPage() {
  const { tenantId = '' } = useParams();
  const navigate = useNavigate();
  const tenant = useTenant(tenantId);
  const sites = useSites({ tenantId });
  const events = useEvents({ tenantId, limit: 10 });
  const [creating, { open, close }] = useDisclosure(false);
  if (tenant.isError && isNotFound(tenant.error)) return <NotFoundPage what="tenant" />;
  return (
    <QueryState query={tenant} label="the tenant">
      {(data) => (
        <Stack>
          <PageHeader title={data.slug} description={data.name} actions={<TenantStatusBadge status={data.status} />} />
          {data.status === 'suspended' && (
            <Alert color="orange" variant="light" title="Suspended" data-testid="tenant-suspended-reason">
              {data.suspendedReason ? `Reason given to its users: ${data.suspendedReason}` : 'No reason was given.'}
            </Alert>
          )}
          <Paper withBorder p="md">
            <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
              <Text size="sm">
                <b>Owner:</b> {data.ownerEmail ?? '—'}
              </Text>
              <Text size="sm">
                <b>Ports:</b> web {data.ports.web ?? '—'}, cache {data.ports.cache ?? '—'}
              </Text>
              <Text size="sm">
                <b>Sites:</b> {data.siteCount}
              </Text>
              <Text size="sm">
                <b>Created:</b> {formatDate(data.createdAt)}
              </Text>
            </SimpleGrid>
          </Paper>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">
              Settings
            </Title>
            <TenantEditForm key={data.updatedAt} tenant={data} />
          </Paper>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">
              Support
            </Title>
            <TenantOperatorTools tenant={data} />
          </Paper>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">
              Lifecycle
            </Title>
            <TenantLifecycle tenant={data} />
          </Paper>
          <Group justify="space-between">
            <Title order={2} size="h4">
              Sites
            </Title>
            <Button size="xs" onClick={open}>
              Create site
            </Button>
          </Group>
          <QueryState query={sites} label="sites">
            {(page) => <SitesTable sites={page.items} empty="This tenant has no sites yet." />}
          </QueryState>
          <Title order={2} size="h4">
            Recent events
          </Title>
          <QueryState query={events} label="events">
            {(page) => <EventsTable events={page.items} empty="No events yet." />}
          </QueryState>
          <Modal opened={creating} onClose={close} title={`Create a site for ${data.slug}`}>
            <CreateSiteForm
              chooseTenant={false}
              tenantId={data.id}
              onCancel={close}
              onCreated={(site) => {
                close();
                void navigate(`/sites/${site.id}`);
              }}
            />
          </Modal>
        </Stack>
      )}
    </QueryState>
  );
}

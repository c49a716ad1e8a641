import { Anchor, Grid, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyNote, QueryState } from '../../ui/QueryState';
import { EventsTable } from '../events/EventsTable';
import { useEvents } from '../events/useEvents';
import { isInProgress, LIVE_POLL_MS, pollWhileInProgress, useSites } from '../sites/useSites';
import { useTenants } from '../tenants/useTenants';
import { CountCard } from './CountCard';
import { HealthCard } from './HealthCard';

/** DashboardPage is the operator's overview: counts, sites that failed, recent events and health, kept live. */
export function DashboardPage() {
  const tenants = useTenants({ limit: 1 });
  const suspended = useTenants({ status: 'suspended', limit: 1 });
  const sites = useSites({});
  const failed = useSites({ status: 'failed' });
  const working = pollWhileInProgress(sites.data?.items);
  const events = useEvents({ limit: 10 }, { pollMs: working ? LIVE_POLL_MS : 30_000 });
  const total = (query: { isError: boolean; data?: { total: number } }) => (query.isError ? null : query.data?.total);

  return (
    <Stack>
      <PageHeader title="Dashboard" description="The panel at a glance." />
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }}>
        <CountCard label="Tenants" value={total(tenants)} to="/tenants" />
        <CountCard label="Suspended" value={total(suspended)} to="/tenants" tone="orange.8" />
        <CountCard label="Sites" value={total(sites)} to="/sites" />
        <CountCard label="Provisioning" value={sites.isError ? null : sites.data?.items.filter(isInProgress).length} to="/sites" tone="blue.8" />
        <CountCard label="Failed" value={total(failed)} to="/sites" tone="red.8" />
      </SimpleGrid>
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Paper withBorder p="md" h="100%">
            <Title order={2} size="h4" mb="sm">Failed sites</Title>
            <QueryState query={failed} label="failed sites">
              {(page) => page.items.length === 0 ? <EmptyNote>No site has failed.</EmptyNote> : (
                <Stack gap="xs">
                  {page.items.map((site) => (
                    <div key={site.id}>
                      <Anchor component={Link} to={`/sites/${site.id}`} fw={600}>{site.name}</Anchor>
                      <Text size="sm" c="red.8">{site.statusMessage ?? 'No reason recorded.'}</Text>
                    </div>
                  ))}
                </Stack>
              )}
            </QueryState>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <HealthCard />
        </Grid.Col>
      </Grid>
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">Recent events <Anchor component={Link} to="/events" size="sm" fw={400}>(all events)</Anchor></Title>
        <QueryState query={events} label="recent events">
          {(page) => <EventsTable events={page.items} empty="Nothing has happened yet." />}
        </QueryState>
      </Paper>
    </Stack>
  );
}

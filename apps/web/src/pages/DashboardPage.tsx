import { Anchor, Grid, Paper, SimpleGrid, Stack, Title } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { EventsTable } from '../features/events/EventsTable';
import { useEvents } from '../queries/events';
import { isInProgress, LIVE_POLL_MS, pollWhileInProgress, useSites } from '../queries/sites';
import { useTenants } from '../queries/tenants';
import { AttentionPanel } from '../features/sites/AttentionPanel';
import { CountCard } from '../features/dashboard/CountCard';
import { HealthCard } from '../features/dashboard/HealthCard';

const ATTENTION_POLL_MS = 30_000;

/** DashboardPage is the operator's overview: counts, sites that failed or are degraded, recent events and health, kept live. */
export function DashboardPage() {
  const tenants = useTenants({ limit: 1 });
  const suspended = useTenants({ status: 'suspended', limit: 1 });
  const sites = useSites({});
  // A site turns degraded (or live again) when the edge probe says so, not on a user's action: re-read them now and then.
  const failed = useSites({ status: 'failed' }, { pollMs: ATTENTION_POLL_MS });
  const degraded = useSites({ status: 'degraded' }, { pollMs: ATTENTION_POLL_MS });
  const working = pollWhileInProgress(sites.data?.items);
  const events = useEvents({ limit: 10 }, { pollMs: working ? LIVE_POLL_MS : 30_000 });
  const total = (query: { isError: boolean; data?: { total: number } }) => (query.isError ? null : query.data?.total);

  return (
    <Stack>
      <PageHeader title="Dashboard" description="The panel at a glance." />
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
        <CountCard label="Tenants" value={total(tenants)} to="/tenants" />
        <CountCard label="Suspended" value={total(suspended)} to="/tenants" tone="orange.8" />
        <CountCard label="Sites" value={total(sites)} to="/sites" />
        <CountCard
          label="Provisioning"
          value={sites.isError ? null : sites.data?.items.filter(isInProgress).length}
          to="/sites"
          tone="blue.8"
        />
        <CountCard label="Failed" value={total(failed)} to="/sites" tone="red.8" />
        <CountCard label="Degraded" value={total(degraded)} to="/sites" tone="orange.8" />
      </SimpleGrid>
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <AttentionPanel failed={failed} degraded={degraded} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <HealthCard />
        </Grid.Col>
      </Grid>
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">
          Recent events{' '}
          <Anchor component={Link} to="/events" size="sm" fw={400}>
            (all events)
          </Anchor>
        </Title>
        <QueryState query={events} label="recent events">
          {(page) => <EventsTable events={page.items} empty="Nothing has happened yet." />}
        </QueryState>
      </Paper>
    </Stack>
  );
}

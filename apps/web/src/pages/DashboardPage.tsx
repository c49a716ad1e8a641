import { Anchor, Grid, Paper, SimpleGrid, Stack, Title } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { EventsTable } from '../features/events/EventsTable';
import { useEvents } from '../queries/events';
import { useUser } from '../queries/session';
import { isInProgress, LIVE_POLL_MS, pollWhileInProgress, useSites } from '../queries/sites';
import { useTenants } from '../queries/tenants';
import { AttentionPanel } from '../features/sites/AttentionPanel';
import { SiteStatusBadge } from '../features/sites/SiteStatusBadge';
import { CountCard } from '../features/dashboard/CountCard';
import { HealthCard } from '../features/dashboard/HealthCard';
import { HomeSites } from '../features/dashboard/HomeSites';
import { UsageCard } from '../features/dashboard/UsageCard';

const ATTENTION_POLL_MS = 30_000;
const EVENTS_POLL_MS = 30_000;

/** RecentActivity is the newest events, told in words, with a link to the whole trail. */
function RecentActivity({ live, title, empty }: { live: boolean; title: string; empty: string }) {
  const events = useEvents({ limit: 10 }, { pollMs: live ? LIVE_POLL_MS : EVENTS_POLL_MS });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="sm">
        {title}{' '}
        <Anchor component={Link} to="/events" size="sm" fw={400}>
          (all events)
        </Anchor>
      </Title>
      <QueryState query={events} label="recent events">
        {(page) => <EventsTable events={page.items} empty={empty} />}
      </QueryState>
    </Paper>
  );
}

/** OperatorDashboard is the operator's overview: counts, sites that failed or are degraded, recent events and health, kept live. */
function OperatorDashboard() {
  const tenants = useTenants({ limit: 1 });
  const suspended = useTenants({ status: 'suspended', limit: 1 });
  const sites = useSites({});
  // A site turns degraded (or live again) when the edge probe says so, not on a user's action: re-read them now and then.
  const failed = useSites({ status: 'failed' }, { pollMs: ATTENTION_POLL_MS });
  const degraded = useSites({ status: 'degraded' }, { pollMs: ATTENTION_POLL_MS });
  const working = pollWhileInProgress(sites.data?.items);
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
      <RecentActivity live={Boolean(working)} title="Recent events" empty="Nothing has happened yet." />
    </Stack>
  );
}

/**
 * TenantHome is where an account's users land: the account against its plan, each site with its status,
 * certificate and a link to visit it, and what happened lately. Sites refresh while one is being set up and
 * every 30 s otherwise (the edge probe changes their status on its own).
 */
function TenantHome({ tenantId }: { tenantId: string }) {
  const sites = useSites({}, { pollMs: ATTENTION_POLL_MS });
  const working = pollWhileInProgress(sites.data?.items);
  return (
    <Stack>
      <PageHeader title="Home" description="Your sites, your plan and what happened lately." />
      <UsageCard tenantId={tenantId} />
      <QueryState query={sites} label="your sites">
        {(page) => <HomeSites sites={page.items} status={(site) => <SiteStatusBadge status={site.status} />} />}
      </QueryState>
      <RecentActivity live={Boolean(working)} title="Recent activity" empty="Nothing has happened yet." />
    </Stack>
  );
}

/** DashboardPage is the home of whoever signs in: the operator's overview, or a tenant user's account. */
export function DashboardPage() {
  const user = useUser();
  if (user.role === 'admin' || !user.tenantId) return <OperatorDashboard />;
  return <TenantHome tenantId={user.tenantId} />;
}

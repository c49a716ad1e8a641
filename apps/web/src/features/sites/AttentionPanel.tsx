import { Anchor, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { TSite } from '@berth/contracts';
import type { TPageOf } from '../../api';
import { EmptyNote, errorText, QueryError, QueryLoading } from '../../ui/QueryState';
import { useRetrySite } from '../../queries/sites';
import { SiteStatusBadge } from './SiteStatusBadge';
import { statusMessageColor } from './siteStatus';

type SitesQuery = UseQueryResult<TPageOf<TSite>>;

/** attentionSites is the failed sites then the degraded ones; a site in both (lists read at different times) shows once, as last updated. */
function attentionSites(failed: TSite[], degraded: TSite[]): TSite[] {
  const byId = new Map<string, TSite>();
  for (const site of [...failed, ...degraded]) {
    const seen = byId.get(site.id);
    if (!seen || seen.updatedAt < site.updatedAt) byId.set(site.id, site);
  }
  return [...byId.values()];
}

/** AttentionSite is one site that needs attention: its name, status, reason and a Retry button. */
function AttentionSite({ site }: { site: TSite }) {
  const retry = useRetrySite(site.id);
  return (
    <Group role="listitem" justify="space-between" align="flex-start" wrap="nowrap" data-site-name={site.name}>
      <Stack gap={2} miw={0}>
        <Group gap="xs">
          <Anchor component={Link} to={`/sites/${site.id}`} fw={600}>
            {site.name}
          </Anchor>
          <SiteStatusBadge status={site.status} />
        </Group>
        <Text size="sm" c={statusMessageColor(site.status)}>
          {site.statusMessage ?? 'No reason recorded.'}
        </Text>
        {retry.isError && (
          <Text size="sm" c="red.8" role="alert">
            {errorText(retry.error)}
          </Text>
        )}
      </Stack>
      <Button
        size="xs"
        variant="light"
        color={site.status === 'failed' ? 'red' : 'orange'}
        loading={retry.isPending}
        aria-label={`Retry ${site.name}`}
        onClick={() => retry.mutate()}
      >
        Retry
      </Button>
    </Group>
  );
}

/**
 * AttentionPanel lists the failed and degraded sites with their reasons and a Retry button each. It says
 * "Every site is live." only when both lists loaded and are empty: a list that failed to load says so instead.
 */
export function AttentionPanel({ failed, degraded }: { failed: SitesQuery; degraded: SitesQuery }) {
  const sites = attentionSites(failed.data?.items ?? [], degraded.data?.items ?? []);
  return (
    <Paper withBorder p="md" h="100%">
      <Title order={2} size="h4" mb="sm">
        Sites that need attention
      </Title>
      <Stack gap="sm">
        {failed.isError && <QueryError query={failed} label="failed sites" />}
        {degraded.isError && <QueryError query={degraded} label="degraded sites" />}
        {sites.length > 0 && (
          <Stack gap="sm" role="list" aria-label="Sites that need attention">
            {sites.map((site) => (
              <AttentionSite key={site.id} site={site} />
            ))}
          </Stack>
        )}
        {(failed.isPending || degraded.isPending) && <QueryLoading label="sites that need attention" />}
        {failed.isSuccess && degraded.isSuccess && sites.length === 0 && <EmptyNote>Every site is live.</EmptyNote>}
      </Stack>
    </Paper>
  );
}

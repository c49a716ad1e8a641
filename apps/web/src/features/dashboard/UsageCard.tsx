import { Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { TTenantUsage } from '@berth/contracts';
import { formatDate } from '../../ui/dates';
import { QueryState } from '../../ui/QueryState';
import { useTenantUsage } from '../../queries/usage';
import { countWords, formatBytes, meterColor } from './usageWords';

function Meter({ label, used, limit, words }: { label: string; used: number; limit: number; words: string }) {
  const percent = limit > 0 ? Math.min(100, (used / limit) * 100) : 100;
  return (
    <Stack gap={4} role="group" aria-label={label}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={600}>
          {label}
        </Text>
        <Text size="sm" data-testid={`usage-${label}`}>
          {words}
        </Text>
      </Group>
      <Progress value={percent} color={meterColor(used, limit)} aria-label={`${label}: ${words}`} />
    </Stack>
  );
}

function Meters({ usage }: { usage: TTenantUsage }) {
  const { sites, domains, databases, disk, bandwidth } = usage;
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg">
        <Meter
          label="Sites"
          used={sites.used}
          limit={sites.limit}
          words={countWords(sites.used, sites.limit, 'site', 'sites')}
        />
        <Meter
          label="Domains"
          used={domains.used}
          limit={domains.limit}
          words={countWords(domains.used, domains.limit, 'domain', 'domains')}
        />
        <Meter
          label="Databases"
          used={databases.used}
          limit={databases.limit}
          words={countWords(databases.used, databases.limit, 'database', 'databases')}
        />
        <Meter
          label="Disk"
          used={disk.usedBytes}
          limit={disk.limitBytes}
          words={`${formatBytes(disk.usedBytes)} of ${formatBytes(disk.limitBytes)}`}
        />
        <Meter
          label="Bandwidth this month"
          used={bandwidth.usedBytes}
          limit={bandwidth.limitBytes}
          words={`${formatBytes(bandwidth.usedBytes)} of ${formatBytes(bandwidth.limitBytes)}`}
        />
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        Disk counts site files ({formatBytes(disk.filesBytes)}) and databases ({formatBytes(disk.databasesBytes)}).
        Bandwidth is what visitors downloaded since {formatDate(bandwidth.periodStart)}. Measured{' '}
        {formatDate(usage.measuredAt)}.
      </Text>
    </Stack>
  );
}

/** UsageCard is a tenant's account against its plan: sites, domains, databases, disk and this month's bandwidth. */
export function UsageCard({ tenantId }: { tenantId: string }) {
  const usage = useTenantUsage(tenantId);
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="sm">
        Your plan{usage.data ? `: ${usage.data.plan.name}` : ''}
      </Title>
      <QueryState query={usage} label="usage">
        {(data) => <Meters usage={data} />}
      </QueryState>
    </Paper>
  );
}

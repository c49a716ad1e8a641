import { Anchor, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { TReconcilerHealth } from '@berth/contracts';
import { formatDate, formatElapsed } from '../../ui/dates';
import { QueryState } from '../../ui/QueryState';
import { useHealth, type PanelHealth } from '../../queries/health';

const COMPONENTS: { key: Exclude<keyof PanelHealth['components'], 'reconciler'>; label: string }[] = [
  { key: 'database', label: 'Database' },
  { key: 'docker', label: 'Docker engine' },
  { key: 'caddy', label: 'Caddy (edge)' },
];

function OkBadge({ ok, message }: { ok: boolean; message?: string }) {
  return (
    <Badge color={ok ? 'green' : 'red'} variant="light" title={message} style={{ flexShrink: 0 }}>
      {ok ? 'ok' : 'failing'}
    </Badge>
  );
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * ReconcilerLine is the reconciler's line: ok, or how many tenants fail to converge and the one waiting
 * longest (since when as of `now`, after how many failed passes, and the last error).
 */
function ReconcilerLine({ part, now }: { part: TReconcilerHealth | undefined; now: number }) {
  const oldest = part?.oldestUnconverged;
  return (
    <Stack gap={4} role="group" aria-label="Reconciler">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm">Reconciler</Text>
        {part ? (
          <OkBadge ok={part.ok} message={part.message} />
        ) : (
          <Text size="xs" c="dimmed">
            not reported yet
          </Text>
        )}
      </Group>
      {part && !part.ok && (
        <>
          <Text size="sm" c="red.8" fw={600}>
            {plural(part.failingTenants, 'tenant failing', 'tenants failing')}
          </Text>
          {part.message && <Text size="xs">{part.message}</Text>}
          {oldest && (
            <Text size="xs">
              Oldest unconverged:{' '}
              <Anchor component={Link} to={`/tenants/${oldest.tenantId}`} size="xs">
                {oldest.tenantSlug ?? oldest.tenantId}
              </Anchor>
              {', '}
              <time dateTime={oldest.since} title={formatDate(oldest.since)}>
                for {formatElapsed(oldest.since, now)}
              </time>
              {`, ${plural(oldest.failedPasses, 'failed pass', 'failed passes')}`}
            </Text>
          )}
          {oldest?.lastError && (
            <Text size="xs" className="mono" c="red.8">
              {oldest.lastError}
            </Text>
          )}
        </>
      )}
    </Stack>
  );
}

/** HealthCard shows the health of the database, the Docker engine, the edge and the reconciler, as the panel sees them. */
export function HealthCard() {
  const health = useHealth();
  return (
    <Paper withBorder p="md" h="100%">
      <Title order={2} size="h4" mb="sm">
        Health
      </Title>
      <QueryState query={health} label="health">
        {(data) => (
          <Stack gap="xs" aria-live="polite">
            <Group justify="space-between">
              <Text size="sm">Overall</Text>
              <OkBadge ok={data.ok} />
            </Group>
            {COMPONENTS.map(({ key, label }) => {
              const part = data.components?.[key];
              return (
                <Group key={key} justify="space-between" wrap="nowrap">
                  <Text size="sm">{label}</Text>
                  {part ? (
                    <OkBadge ok={part.ok} message={part.message} />
                  ) : (
                    <Text size="xs" c="dimmed">
                      not reported yet
                    </Text>
                  )}
                </Group>
              );
            })}
            <ReconcilerLine part={data.components?.reconciler} now={health.dataUpdatedAt} />
          </Stack>
        )}
      </QueryState>
    </Paper>
  );
}

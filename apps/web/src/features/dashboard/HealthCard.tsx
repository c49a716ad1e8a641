import { Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { QueryState } from '../../ui/QueryState';
import { useHealth, type PanelHealth } from './useHealth';

const COMPONENTS: { key: keyof PanelHealth['components']; label: string }[] = [
  { key: 'database', label: 'Database' },
  { key: 'docker', label: 'Docker engine' },
  { key: 'caddy', label: 'Caddy (edge)' },
];

/** HealthCard shows the health of the database, the Docker engine and the edge, as the panel sees them. */
export function HealthCard() {
  const health = useHealth();
  return (
    <Paper withBorder p="md" h="100%">
      <Title order={2} size="h4" mb="sm">Health</Title>
      <QueryState query={health} label="health">
        {(data) => (
          <Stack gap="xs" aria-live="polite">
            <Group justify="space-between">
              <Text size="sm">Overall</Text>
              <Badge color={data.ok ? 'green' : 'red'} variant="light">{data.ok ? 'ok' : 'failing'}</Badge>
            </Group>
            {COMPONENTS.map(({ key, label }) => {
              const part = data.components?.[key];
              return (
                <Group key={key} justify="space-between" wrap="nowrap">
                  <Text size="sm">{label}</Text>
                  {part ? (
                    <Badge color={part.ok ? 'green' : 'red'} variant="light" title={part.message}>{part.ok ? 'ok' : 'failing'}</Badge>
                  ) : (
                    <Text size="xs" c="dimmed">not reported yet</Text>
                  )}
                </Group>
              );
            })}
          </Stack>
        )}
      </QueryState>
    </Paper>
  );
}

import { Code, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { DATABASE_ENGINES, type TDatabase } from '@berth/contracts';
import { ENGINE_LABELS } from './databaseLabels';

/**
 * ConnectionInfo says how a site's code reaches each engine it has databases on: through the server's unix
 * socket, mounted in every PHP and app container (there is no network port), as the API describes it.
 */
export function ConnectionInfo({ databases }: { databases: readonly TDatabase[] }) {
  const engines = DATABASE_ENGINES.flatMap((engine) => {
    const database = databases.find((d) => d.engine === engine);
    return database ? [{ engine, connection: database.connection }] : [];
  });
  if (engines.length === 0) return null;
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb={4}>
        Connecting from your sites
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        The database servers are reached from your sites only, through a socket; there is no network port. Use the full
        database and user names.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: engines.length }}>
        {engines.map(({ engine, connection }) => (
          <Stack key={engine} gap={4} data-testid={`connection-${engine}`}>
            <Text fw={600} size="sm">
              {ENGINE_LABELS[engine]}
            </Text>
            <Text size="sm">
              Host <Code>{connection.host}</Code>
            </Text>
            <Text size="sm">
              Socket <Code>{connection.socket}</Code>
            </Text>
          </Stack>
        ))}
      </SimpleGrid>
    </Paper>
  );
}

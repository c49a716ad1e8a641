import { useState } from 'react';
import { Badge, Button, Group, Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { TDatabase, TDatabaseEngine } from '@berth/contracts';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { formatDate } from '../../ui/dates';
import { EmptyNote, errorText } from '../../ui/QueryState';
import { useDeleteDatabase } from '../../queries/databases';
import { ENGINE_LABELS, formatBytes } from './databaseLabels';

export interface DatabasesTableProps {
  databases: readonly TDatabase[];
  /** Tenant slugs by id, to show whose a database is (operators only). */
  tenants?: Map<string, string>;
  empty: string;
}

/** EngineBadge marks a row's server: MariaDB or PostgreSQL. */
export function EngineBadge({ engine }: { engine: TDatabaseEngine }) {
  return (
    <Badge variant="light" color={engine === 'mariadb' ? 'teal' : 'indigo'}>
      {ENGINE_LABELS[engine]}
    </Badge>
  );
}

function Size({ database }: { database: TDatabase }) {
  if (database.sizeBytes === null)
    return (
      <Text size="sm" c="dimmed">
        not measured yet
      </Text>
    );
  return (
    <Text size="sm" title={`Measured ${formatDate(database.sizeCheckedAt)}`}>
      {formatBytes(database.sizeBytes)}
    </Text>
  );
}

function Users({ database }: { database: TDatabase }) {
  if (database.users.length === 0)
    return (
      <Text size="sm" c="dimmed">
        no user yet
      </Text>
    );
  return (
    <Stack gap={0}>
      {database.users.map((u) => (
        <Text key={u.id} size="sm" className="mono">
          {u.name}
        </Text>
      ))}
    </Stack>
  );
}

/**
 * DatabasesTable lists databases with their engine, full name, size and users (as cards on a phone, so the
 * Delete button stays in view), and deletes one after the name is typed.
 */
export function DatabasesTable({ databases, tenants, empty }: DatabasesTableProps) {
  const phone = useMediaQuery('(max-width: 36em)');
  const remove = useDeleteDatabase();
  const [deleting, setDeleting] = useState<TDatabase | null>(null);
  const tenantOf = (d: TDatabase) => tenants?.get(d.tenantId) ?? d.tenantId;
  const deleteButton = (database: TDatabase) => (
    <Button
      size="xs"
      variant="subtle"
      color="red"
      onClick={() => setDeleting(database)}
      aria-label={`Delete ${database.name}`}
    >
      Delete
    </Button>
  );

  let list;
  if (databases.length === 0) list = <EmptyNote>{empty}</EmptyNote>;
  else if (phone)
    list = (
      <Stack gap="sm" role="list" aria-label="Databases" data-testid="databases-table">
        {databases.map((database) => (
          <Paper key={database.id} withBorder p="sm" role="listitem" data-database-name={database.name}>
            <Group justify="space-between" wrap="nowrap">
              <Text fw={600} className="mono">
                {database.name}
              </Text>
              <EngineBadge engine={database.engine} />
            </Group>
            {tenants && (
              <Text size="sm" c="dimmed">
                Tenant {tenantOf(database)}
              </Text>
            )}
            <Group gap="xs" mt={4}>
              <Text size="sm">Size:</Text>
              <Size database={database} />
            </Group>
            <Text size="sm" mt={4}>
              Users:
            </Text>
            <Users database={database} />
            <Group mt="xs">{deleteButton(database)}</Group>
          </Paper>
        ))}
      </Stack>
    );
  else
    list = (
      <Table.ScrollContainer minWidth={560}>
        <Table striped aria-label="Databases" data-testid="databases-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Database</Table.Th>
              <Table.Th scope="col">Engine</Table.Th>
              {tenants && <Table.Th scope="col">Tenant</Table.Th>}
              <Table.Th scope="col">Size</Table.Th>
              <Table.Th scope="col">Users</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {databases.map((database) => (
              <Table.Tr key={database.id} data-database-name={database.name}>
                <Table.Td>
                  <Text size="sm" fw={600} className="mono">
                    {database.name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <EngineBadge engine={database.engine} />
                </Table.Td>
                {tenants && <Table.Td>{tenantOf(database)}</Table.Td>}
                <Table.Td>
                  <Size database={database} />
                </Table.Td>
                <Table.Td>
                  <Users database={database} />
                </Table.Td>
                <Table.Td>{deleteButton(database)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    );

  return (
    <>
      {list}
      <ConfirmModal
        key={deleting?.id ?? 'none'}
        opened={deleting !== null}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        title={`Delete ${deleting?.name ?? ''} and everything in it?`}
        confirmLabel="Delete database"
        typedConfirmation={deleting?.name}
        pending={remove.isPending}
        error={remove.error ? errorText(remove.error) : null}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        Its tables and data are deleted from the server, and apps that use it stop working. Its users stay. This cannot
        be undone.
      </ConfirmModal>
    </>
  );
}

import { Table, Text } from '@mantine/core';
import type { TBackup, TRestore } from '@berth/contracts';
import { formatDate } from '../../ui/dates';
import { EmptyNote } from '../../ui/QueryState';
import { backupTime, restoreWhat } from './backupLabels';
import { BackupStatus } from './BackupStatus';

/** RestoresTable lists a tenant's restores, newest first: what was put back, from which backup, and how it went. */
export function RestoresTable({ restores, backups }: { restores: readonly TRestore[]; backups: readonly TBackup[] }) {
  if (restores.length === 0)
    return <EmptyNote>No restores yet. Choose Restore… on a backup above to put something back.</EmptyNote>;
  const byId = new Map(backups.map((b) => [b.id, b]));
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped aria-label="Restores">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Asked for</Table.Th>
            <Table.Th scope="col">What</Table.Th>
            <Table.Th scope="col">From the backup of</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {restores.map((restore) => {
            const backup = byId.get(restore.backupId);
            return (
              <Table.Tr key={restore.id} data-restore-id={restore.id}>
                <Table.Td>
                  <Text size="sm">{formatDate(restore.createdAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{restoreWhat(restore, backup)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{backup ? backupTime(backup) : 'an older backup'}</Text>
                </Table.Td>
                <Table.Td maw={280}>
                  <BackupStatus status={restore.status} message={restore.message} />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

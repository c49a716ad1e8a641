import { Button, Group, Menu, Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { TBackup } from '@berth/contracts';
import { formatDate } from '../../ui/dates';
import { EmptyNote } from '../../ui/QueryState';
import { backupTime, contentsSummary, formatBytes, isRestorable, TRIGGER_LABELS } from './backupLabels';
import { BackupStatus } from './BackupStatus';
import type { RestoreScope } from './RestoreModal';

export interface BackupsTableProps {
  backups: readonly TBackup[];
  empty: string;
  onRestore: (backup: TBackup, scope: RestoreScope) => void;
  onBrowse: (backup: TBackup) => void;
}

function When({ backup }: { backup: TBackup }) {
  return (
    <Stack gap={0}>
      <Text size="sm" fw={600}>
        {backupTime(backup)}
      </Text>
      {backup.finishedAt && (
        <Text size="xs" c="dimmed">
          finished {formatDate(backup.finishedAt)}
        </Text>
      )}
    </Stack>
  );
}

function Size({ backup }: { backup: TBackup }) {
  return <Text size="sm">{backup.sizeBytes === null ? '—' : formatBytes(backup.sizeBytes)}</Text>;
}

function Added({ backup }: { backup: TBackup }) {
  return (
    <Text size="sm" title="Space this backup added to the backup store (unchanged files are stored once)">
      {backup.addedBytes === null ? '—' : formatBytes(backup.addedBytes)}
    </Text>
  );
}

/** Contents says what a backup holds ("2 sites, 1 database"); the names open beneath, on any device. */
function Contents({ backup }: { backup: TBackup }) {
  const { sites, databases } = backup.contents;
  if (backup.status !== 'succeeded')
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  if (sites.length === 0 && databases.length === 0)
    return (
      <Text size="sm" c="dimmed">
        no sites or databases
      </Text>
    );
  return (
    <details>
      <summary style={{ cursor: 'pointer', fontSize: 'var(--mantine-font-size-sm)' }}>
        {contentsSummary(backup.contents)}
      </summary>
      <Stack gap={0} mt={4}>
        {sites.map((s) => (
          <Text key={s.id} size="xs">
            Site {s.name}
          </Text>
        ))}
        {databases.map((d) => (
          <Text key={d.id} size="xs" className="mono">
            Database {d.name}
          </Text>
        ))}
      </Stack>
    </details>
  );
}

/**
 * BackupsTable lists a tenant's backups, newest first, with their status, size and contents (as cards on a
 * phone so the Restore menu stays in view). A backup that succeeded and is still kept offers a Restore menu:
 * the whole account, one site, one database, or its files to browse, download and put back.
 */
export function BackupsTable({ backups, empty, onRestore, onBrowse }: BackupsTableProps) {
  const phone = useMediaQuery('(max-width: 36em)');

  const actions = (backup: TBackup) => {
    if (backup.forgottenAt)
      return (
        <Text size="xs" c="dimmed">
          Removed by retention {formatDate(backup.forgottenAt)}
        </Text>
      );
    if (!isRestorable(backup)) return null;
    const { sites, databases } = backup.contents;
    return (
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button size="xs" variant="light" aria-label={`Restore… from the backup of ${backupTime(backup)}`}>
            Restore…
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => onRestore(backup, 'tenant')}>Whole account…</Menu.Item>
          <Menu.Item onClick={() => onRestore(backup, 'site')} disabled={sites.length === 0}>
            One site…
          </Menu.Item>
          <Menu.Item onClick={() => onRestore(backup, 'database')} disabled={databases.length === 0}>
            One database…
          </Menu.Item>
          <Menu.Divider />
          <Menu.Item onClick={() => onBrowse(backup)}>Browse files…</Menu.Item>
        </Menu.Dropdown>
      </Menu>
    );
  };

  if (backups.length === 0) return <EmptyNote>{empty}</EmptyNote>;
  if (phone)
    return (
      <Stack gap="sm" role="list" aria-label="Backups">
        {backups.map((backup) => (
          <Paper key={backup.id} withBorder p="sm" role="listitem" data-backup-id={backup.id}>
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <When backup={backup} />
              <BackupStatus status={backup.status} message={backup.message} />
            </Group>
            <Text size="sm" c="dimmed" mt={4}>
              {TRIGGER_LABELS[backup.trigger]}
            </Text>
            <Group gap="xs" mt={4}>
              <Text size="sm">Size:</Text>
              <Size backup={backup} />
              <Text size="sm">Added:</Text>
              <Added backup={backup} />
            </Group>
            <Contents backup={backup} />
            <Group mt="xs">{actions(backup)}</Group>
          </Paper>
        ))}
      </Stack>
    );
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped aria-label="Backups">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Time</Table.Th>
            <Table.Th scope="col">Trigger</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Size</Table.Th>
            <Table.Th scope="col">Added</Table.Th>
            <Table.Th scope="col">Contents</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {backups.map((backup) => (
            <Table.Tr key={backup.id} data-backup-id={backup.id}>
              <Table.Td>
                <When backup={backup} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{TRIGGER_LABELS[backup.trigger]}</Text>
              </Table.Td>
              <Table.Td maw={260}>
                <BackupStatus status={backup.status} message={backup.message} />
              </Table.Td>
              <Table.Td>
                <Size backup={backup} />
              </Table.Td>
              <Table.Td>
                <Added backup={backup} />
              </Table.Td>
              <Table.Td>
                <Contents backup={backup} />
              </Table.Td>
              <Table.Td>{actions(backup)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

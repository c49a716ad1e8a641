import { useState } from 'react';
import {
  Anchor,
  Breadcrumbs,
  Button,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { TBackup, TSnapshotListing } from '@berth/contracts';
import { snapshotDownloadUrl, useSnapshotListing } from '../../queries/backups';
import { formatDate } from '../../ui/dates';
import { EmptyNote, QueryState } from '../../ui/QueryState';
import { backupTime, formatBytes, siteOfPath, type RestoreTarget } from './backupLabels';
import { RestoreConfirm } from './RestoreConfirm';

type TEntry = TSnapshotListing['entries'][number];

const TOP_FOLDERS: Record<string, string> = {
  sites: 'site files, one folder per site',
  databases: 'database dumps',
  panel: 'panel records',
};

/** SnapshotBrowser is the "Browse files…" dialog of a backup; nothing is shown until a backup is chosen. */
export function SnapshotBrowser({
  tenantId,
  backup,
  onClose,
}: {
  tenantId: string;
  backup: TBackup | null;
  onClose: () => void;
}) {
  const phone = useMediaQuery('(max-width: 36em)');
  return (
    <Modal
      opened={backup !== null}
      onClose={onClose}
      title={backup ? `Files of the backup of ${backupTime(backup)}` : ''}
      size="xl"
      fullScreen={phone}
    >
      {backup && <SnapshotFiles key={backup.id} tenantId={tenantId} backup={backup} />}
    </Modal>
  );
}

/**
 * SnapshotFiles browses a backup: folders open on click, breadcrumbs lead back, each file or folder has a
 * Download link (a folder comes as a .tar), and a file or folder of a site can be put back in place after
 * the consequence is confirmed. Site folders are shown by the site's name, not its id.
 */
export function SnapshotFiles({ tenantId, backup }: { tenantId: string; backup: TBackup }) {
  const [dir, setDir] = useState('');
  const [putting, setPutting] = useState<RestoreTarget | null>(null);
  const listing = useSnapshotListing(tenantId, backup.id, dir);
  const segments = dir.split('/').filter(Boolean);
  const siteName = (id: string) => backup.contents.sites.find((s) => s.id === id)?.name;
  // The segment after `sites/` is a site id: show the site's name instead.
  const segmentLabel = (i: number) => {
    const segment = segments[i] ?? '';
    return i === 1 && segments[0] === 'sites' ? (siteName(segment) ?? segment) : segment;
  };

  if (putting)
    return (
      <RestoreConfirm
        tenantId={tenantId}
        backup={backup}
        scope="path"
        target={putting}
        onCancel={() => setPutting(null)}
        onDone={() => setPutting(null)}
      />
    );

  const putBackTarget = (entry: TEntry): RestoreTarget | null => {
    const inSite = siteOfPath(entry.path);
    if (!inSite || (entry.type !== 'file' && entry.type !== 'dir')) return null;
    const site = backup.contents.sites.find((s) => s.id === inSite.siteId) ?? {
      id: inSite.siteId,
      name: inSite.siteId,
    };
    return { scope: 'path', site, path: inSite.rest, folder: entry.type === 'dir' };
  };

  const name = (entry: TEntry) => {
    const site = dir === 'sites' ? siteName(entry.name) : undefined;
    const label = site ? `${site} (${entry.name})` : entry.name;
    if (entry.type !== 'dir') return <Text size="sm">{label}</Text>;
    return (
      <UnstyledButton onClick={() => setDir(entry.path)} fw={600} fz="sm" aria-label={`Open folder ${label}`}>
        {label}/
      </UnstyledButton>
    );
  };

  return (
    <Stack>
      <nav aria-label="Folder">
        <Breadcrumbs separatorMargin={4} style={{ flexWrap: 'wrap' }}>
          <Anchor component="button" type="button" size="sm" onClick={() => setDir('')}>
            backup
          </Anchor>
          {segments.map((_, i) => (
            <Anchor
              key={i}
              component="button"
              type="button"
              size="sm"
              onClick={() => setDir(segments.slice(0, i + 1).join('/'))}
              aria-current={i === segments.length - 1 ? 'location' : undefined}
            >
              {segmentLabel(i)}
            </Anchor>
          ))}
        </Breadcrumbs>
      </nav>
      <QueryState query={listing} label="the backup’s files">
        {(answer) =>
          answer.entries.length === 0 ? (
            <EmptyNote>This folder is empty.</EmptyNote>
          ) : (
            <Table.ScrollContainer minWidth={340}>
              <Table aria-label="Files in the backup" striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Name</Table.Th>
                    <Table.Th scope="col">Size</Table.Th>
                    <Table.Th scope="col" visibleFrom="sm">
                      Modified
                    </Table.Th>
                    <Table.Th scope="col">
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {answer.entries.map((entry) => {
                    const target = putBackTarget(entry);
                    const folder = entry.type === 'dir';
                    return (
                      <Table.Tr key={entry.path} data-path={entry.path}>
                        <Table.Td>
                          {name(entry)}
                          {dir === '' && TOP_FOLDERS[entry.name] && (
                            <Text size="xs" c="dimmed">
                              {TOP_FOLDERS[entry.name]}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">
                            {folder ? 'folder' : entry.size === null ? '—' : formatBytes(entry.size)}
                          </Text>
                        </Table.Td>
                        <Table.Td visibleFrom="sm">
                          <Text size="sm">{formatDate(entry.mtime)}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Group gap={4} wrap="nowrap">
                            <Anchor
                              size="sm"
                              href={snapshotDownloadUrl(tenantId, backup.id, entry.path)}
                              download={folder ? `${entry.name}.tar` : entry.name}
                              aria-label={folder ? `Download ${entry.name} as .tar` : `Download ${entry.name}`}
                            >
                              {folder ? 'Download .tar' : 'Download'}
                            </Anchor>
                            {target && (
                              <Button
                                size="xs"
                                variant="subtle"
                                color="red"
                                onClick={() => setPutting(target)}
                                aria-label={`Put back ${entry.name}`}
                              >
                                Put back
                              </Button>
                            )}
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <Text size="xs" c="dimmed">
        Put back replaces a file or folder of a site with its copy from this backup. To restore a whole site or a
        database, use the Restore menu.
      </Text>
    </Stack>
  );
}

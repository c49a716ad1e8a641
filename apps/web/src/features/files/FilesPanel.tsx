import { useState } from 'react';
import {
  Anchor,
  Breadcrumbs,
  Button,
  Group,
  Menu,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { plainMessage } from '../../forms/plainMessage';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { formatDate } from '../../ui/dates';
import { NotAvailable } from '../../ui/NotAvailable';
import { EmptyNote, errorText, QueryState } from '../../ui/QueryState';
import { ZFilePath, type TFileEntry } from '@berth/contracts';
import {
  downloadUrl,
  joinPath,
  useDeleteFile,
  useExtractArchive,
  useFileListing,
  useMakeDirectory,
  zipDownloadUrl,
} from '../../queries/files';
import { editableReason, formatSize, isZip } from './fileKinds';
import { FileEditorModal } from './FileEditorModal';
import { MoveDialog } from './MoveDialog';
import { PermissionsDialog } from './PermissionsDialog';
import { UploadControls } from './UploadControls';

type Target = { entry: TFileEntry; path: string };

/**
 * FilesPanel browses a site's files: open folders, upload (asking before replacing), upload a zip and
 * extract it, make folders, and per entry an action menu (edit text files, download, download a folder as
 * a zip, rename or move, permissions, extract a zip, delete) that stays reachable on a phone.
 */
export function FilesPanel({ siteId }: { siteId: string }) {
  const [dir, setDir] = useState('');
  const [folderName, setFolderName] = useState('');
  const [deleting, setDeleting] = useState<TFileEntry | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [moving, setMoving] = useState<Target | null>(null);
  const [permissions, setPermissions] = useState<Target | null>(null);
  const listing = useFileListing(siteId, dir);
  const mkdir = useMakeDirectory(siteId);
  const remove = useDeleteFile(siteId);
  const extract = useExtractArchive(siteId);
  const segments = dir.split('/').filter(Boolean);
  const folderCheck = folderName ? ZFilePath.safeParse(folderName.trim()) : null;
  const folderIssue = folderCheck && !folderCheck.success ? folderCheck.error.issues[0]?.message : undefined;
  const folderError = folderIssue === undefined ? undefined : plainMessage(folderIssue);

  const edit = (entry: TFileEntry) => {
    const reason = editableReason(entry);
    if (reason) notifications.show({ color: 'yellow', message: reason });
    else setEditing(joinPath(dir, entry.name));
  };
  const extractHere = (entry: TFileEntry) =>
    extract.mutate(
      { path: joinPath(dir, entry.name) },
      {
        onSuccess: (result) =>
          notifications.show({ color: 'green', message: `Extracted ${result.files} file(s) from ${entry.name}.` }),
      },
    );

  return (
    <QueryState query={listing} label="files">
      {(answer) => {
        if (!answer.available) {
          return (
            <NotAvailable feature="The file manager">
              This panel cannot browse or upload site files yet; use SFTP or your deployment tool until it can.
            </NotAvailable>
          );
        }
        return (
          <Stack>
            <Group justify="space-between" wrap="wrap" gap="xs">
              <Breadcrumbs aria-label="Folder">
                <Anchor component="button" type="button" onClick={() => setDir('')}>
                  site root
                </Anchor>
                {segments.map((segment, i) => (
                  <Anchor
                    key={i}
                    component="button"
                    type="button"
                    onClick={() => setDir(segments.slice(0, i + 1).join('/'))}
                  >
                    {segment}
                  </Anchor>
                ))}
              </Breadcrumbs>
              <Anchor href={zipDownloadUrl(siteId, dir)} size="sm">
                Download this folder as zip
              </Anchor>
            </Group>
            <Paper withBorder p="sm">
              <Stack gap="sm">
                <UploadControls siteId={siteId} dir={dir} />
                <Group align="flex-end" gap="sm">
                  <TextInput
                    label="New folder"
                    value={folderName}
                    onChange={(e) => setFolderName(e.currentTarget.value)}
                    w={220}
                    error={folderError}
                  />
                  <Button
                    variant="default"
                    disabled={!folderName.trim() || Boolean(folderError)}
                    loading={mkdir.isPending}
                    onClick={() =>
                      mkdir.mutate(joinPath(dir, folderName.trim()), { onSuccess: () => setFolderName('') })
                    }
                  >
                    Create folder
                  </Button>
                </Group>
                {[mkdir, extract].map(
                  (m, i) =>
                    m.isError && (
                      <Text key={i} c="red.8" size="sm" role="alert">
                        {errorText(m.error)}
                      </Text>
                    ),
                )}
              </Stack>
            </Paper>
            {answer.entries.length === 0 ? (
              <EmptyNote>This folder is empty.</EmptyNote>
            ) : (
              <Table aria-label="Files" striped layout="fixed">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Name</Table.Th>
                    <Table.Th scope="col" visibleFrom="sm" w={110}>
                      Size
                    </Table.Th>
                    <Table.Th scope="col" visibleFrom="sm" w={90}>
                      Mode
                    </Table.Th>
                    <Table.Th scope="col" visibleFrom="md" w={190}>
                      Modified
                    </Table.Th>
                    <Table.Th scope="col" w={96}>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {answer.entries.map((entry) => {
                    const path = joinPath(dir, entry.name);
                    const folder = entry.type === 'directory';
                    return (
                      <Table.Tr key={entry.name} data-file-name={entry.name}>
                        <Table.Td style={{ overflowWrap: 'anywhere' }}>
                          {folder ? (
                            <UnstyledButton onClick={() => setDir(path)} fw={600}>
                              {entry.name}/
                            </UnstyledButton>
                          ) : (
                            <Anchor href={downloadUrl(siteId, path)} download={entry.name}>
                              {entry.name}
                            </Anchor>
                          )}
                          <Text size="xs" c="dimmed" hiddenFrom="sm">
                            {folder ? 'folder' : entry.type === 'symlink' ? 'link' : formatSize(entry.size)} ·{' '}
                            {entry.mode}
                          </Text>
                        </Table.Td>
                        <Table.Td visibleFrom="sm">
                          {folder ? 'folder' : entry.type === 'symlink' ? 'link' : formatSize(entry.size)}
                        </Table.Td>
                        <Table.Td visibleFrom="sm">
                          <Text size="sm" ff="monospace">
                            {entry.type === 'symlink' ? '—' : entry.mode}
                          </Text>
                        </Table.Td>
                        <Table.Td visibleFrom="md">{formatDate(entry.modifiedAt)}</Table.Td>
                        <Table.Td>
                          <Menu position="bottom-end" withinPortal>
                            <Menu.Target>
                              <Button size="xs" variant="default" aria-label={`Actions for ${entry.name}`}>
                                Actions
                              </Button>
                            </Menu.Target>
                            <Menu.Dropdown>
                              {entry.type === 'file' ? <Menu.Item onClick={() => edit(entry)}>Edit</Menu.Item> : null}
                              {entry.type === 'file' ? (
                                <Menu.Item component="a" href={downloadUrl(siteId, path)} download={entry.name}>
                                  Download
                                </Menu.Item>
                              ) : null}
                              {folder ? (
                                <Menu.Item component="a" href={zipDownloadUrl(siteId, path)}>
                                  Download as zip
                                </Menu.Item>
                              ) : null}
                              {isZip(entry) ? (
                                <Menu.Item onClick={() => extractHere(entry)}>Extract here</Menu.Item>
                              ) : null}
                              <Menu.Item onClick={() => setMoving({ entry, path })}>Rename or move</Menu.Item>
                              {entry.type !== 'symlink' ? (
                                <Menu.Item onClick={() => setPermissions({ entry, path })}>Permissions</Menu.Item>
                              ) : null}
                              <Menu.Divider />
                              <Menu.Item color="red" onClick={() => setDeleting(entry)}>
                                Delete
                              </Menu.Item>
                            </Menu.Dropdown>
                          </Menu>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            )}
            <FileEditorModal siteId={siteId} path={editing} onClose={() => setEditing(null)} />
            <MoveDialog siteId={siteId} target={moving} onClose={() => setMoving(null)} />
            <PermissionsDialog siteId={siteId} target={permissions} onClose={() => setPermissions(null)} />
            <ConfirmModal
              opened={deleting !== null}
              onClose={() => {
                setDeleting(null);
                remove.reset();
              }}
              title={`Delete ${deleting?.name ?? ''}?`}
              confirmLabel="Delete"
              pending={remove.isPending}
              error={remove.error ? errorText(remove.error) : null}
              onConfirm={() =>
                deleting &&
                remove.mutate(
                  { path: joinPath(dir, deleting.name), recursive: deleting.type === 'directory' },
                  { onSuccess: () => setDeleting(null) },
                )
              }
            >
              {deleting?.type === 'directory' ? 'The folder and everything in it are deleted.' : 'The file is deleted.'}{' '}
              This cannot be undone.
            </ConfirmModal>
          </Stack>
        );
      }}
    </QueryState>
  );
}

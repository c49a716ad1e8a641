import { useState } from 'react';
import {
  Anchor,
  Breadcrumbs,
  Button,
  FileButton,
  Group,
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
import { FILE_UPLOAD_MAX_BYTES, ZFilePath, type TFileEntry } from '@berth/contracts';
import {
  downloadUrl,
  joinPath,
  useDeleteFile,
  useFileListing,
  useMakeDirectory,
  useUploadFile,
} from '../../queries/files';

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** FilesPanel browses a site's files: open folders, upload, download, make folders, delete. */
export function FilesPanel({ siteId }: { siteId: string }) {
  const [dir, setDir] = useState('');
  const [folderName, setFolderName] = useState('');
  const [deleting, setDeleting] = useState<TFileEntry | null>(null);
  const listing = useFileListing(siteId, dir);
  const upload = useUploadFile(siteId);
  const mkdir = useMakeDirectory(siteId);
  const remove = useDeleteFile(siteId);
  const segments = dir.split('/').filter(Boolean);
  const folderCheck = folderName ? ZFilePath.safeParse(folderName.trim()) : null;
  const folderIssue = folderCheck && !folderCheck.success ? folderCheck.error.issues[0]?.message : undefined;
  const folderError = folderIssue === undefined ? undefined : plainMessage(folderIssue);

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
            <Paper withBorder p="sm">
              <Group align="flex-end" gap="sm">
                <FileButton
                  onChange={(file) => {
                    if (!file) return;
                    if (file.size > FILE_UPLOAD_MAX_BYTES) {
                      notifications.show({
                        color: 'red',
                        message: `${file.name} is larger than the ${FILE_UPLOAD_MAX_BYTES / 1024 / 1024} MiB upload limit.`,
                      });
                      return;
                    }
                    upload.mutate(
                      { path: joinPath(dir, file.name), file },
                      {
                        onSuccess: () => notifications.show({ color: 'green', message: `${file.name} uploaded.` }),
                      },
                    );
                  }}
                >
                  {(props) => (
                    <Button {...props} loading={upload.isPending}>
                      Upload a file
                    </Button>
                  )}
                </FileButton>
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
                  onClick={() => mkdir.mutate(joinPath(dir, folderName.trim()), { onSuccess: () => setFolderName('') })}
                >
                  Create folder
                </Button>
              </Group>
              {[upload, mkdir].map(
                (m, i) =>
                  m.isError && (
                    <Text key={i} c="red.8" size="sm" role="alert" mt="xs">
                      {errorText(m.error)}
                    </Text>
                  ),
              )}
            </Paper>
            {answer.entries.length === 0 ? (
              <EmptyNote>This folder is empty.</EmptyNote>
            ) : (
              <Table.ScrollContainer minWidth={480}>
                <Table aria-label="Files" striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Name</Table.Th>
                      <Table.Th scope="col">Size</Table.Th>
                      <Table.Th scope="col">Modified</Table.Th>
                      <Table.Th scope="col">
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {answer.entries.map((entry) => (
                      <Table.Tr key={entry.name}>
                        <Table.Td>
                          {entry.type === 'directory' ? (
                            <UnstyledButton onClick={() => setDir(joinPath(dir, entry.name))} fw={600}>
                              {entry.name}/
                            </UnstyledButton>
                          ) : (
                            <Anchor href={downloadUrl(siteId, joinPath(dir, entry.name))} download={entry.name}>
                              {entry.name}
                            </Anchor>
                          )}
                        </Table.Td>
                        <Table.Td>
                          {entry.type === 'directory'
                            ? 'folder'
                            : entry.type === 'symlink'
                              ? 'link'
                              : formatSize(entry.size)}
                        </Table.Td>
                        <Table.Td>{formatDate(entry.modifiedAt)}</Table.Td>
                        <Table.Td>
                          <Button
                            size="xs"
                            variant="subtle"
                            color="red"
                            onClick={() => setDeleting(entry)}
                            aria-label={`Delete ${entry.name}`}
                          >
                            Delete
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
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

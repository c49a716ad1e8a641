import { lazy, Suspense, useEffect, useState } from 'react';
import { Alert, Button, Group, Loader, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { ApiError } from '../../api';
import { readTextFile, useSaveTextFile } from '../../queries/files';
import { errorText } from '../../ui/QueryState';
import { languageOf } from './fileKinds';

// CodeMirror is its own chunk: loaded the first time a file is opened, never with the first pages.
const CodeEditor = lazy(() => import('./CodeEditor'));

export interface FileEditorModalProps {
  siteId: string;
  /** The file's path below the document root; null when the editor is closed. */
  path: string | null;
  onClose: () => void;
}

/**
 * FileEditorModal edits a text file. Saving sends the ETag the file was read with (If-Match): when the
 * file changed meanwhile the panel answers FILE_CHANGED and the editor asks what to do (reload and lose
 * the changes, overwrite anyway, or keep editing); it never overwrites silently. Closing with unsaved
 * changes asks first.
 */
export function FileEditorModal({ siteId, path, onClose }: FileEditorModalProps) {
  const file = useQuery({
    queryKey: ['file-text', siteId, path],
    queryFn: () => readTextFile(siteId, path!),
    enabled: path !== null,
    gcTime: 0,
    staleTime: Infinity,
    retry: false,
  });
  const save = useSaveTextFile(siteId);
  const [draft, setDraft] = useState('');
  const [saved, setSaved] = useState('');
  const [etag, setEtag] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const [confirmClose, setConfirmClose] = useState(false);
  /** The loaded text is in `saved` (the editor starts from it only then, never from an empty first render). */
  const [ready, setReady] = useState(false);
  const name = path?.split('/').pop() ?? '';

  useEffect(() => {
    if (file.data?.kind !== 'text') return;
    setDraft(file.data.text);
    setSaved(file.data.text);
    setEtag(file.data.etag);
    setConflict(false);
    setReady(true);
  }, [file.data]);

  const dirty = file.data?.kind === 'text' && draft !== saved;
  const close = () => {
    setReady(false);
    setConfirmClose(false);
    setConflict(false);
    save.reset();
    onClose();
  };
  const requestClose = () => (dirty ? setConfirmClose(true) : close());
  const store = (ifMatch: string | null) => {
    if (path === null) return;
    const text = draft;
    save.mutate(
      { path, text, etag: ifMatch },
      {
        onSuccess: (answer) => {
          setSaved(text);
          setEtag(answer.etag);
          setConflict(false);
          notifications.show({ color: 'green', message: `${name} saved.` });
        },
        onError: (error) => {
          if (error instanceof ApiError && error.code === 'FILE_CHANGED') setConflict(true);
        },
      },
    );
  };

  return (
    <Modal
      opened={path !== null}
      onClose={requestClose}
      title={`Edit ${name}`}
      size="xl"
      closeOnEscape={!confirmClose}
      closeButtonProps={{ 'aria-label': 'Close the editor' }}
    >
      {file.isPending && path !== null ? (
        <Group gap="xs" role="status">
          <Loader size="sm" aria-hidden />
          <Text>Opening {name}…</Text>
        </Group>
      ) : file.isError ? (
        <Alert color="red" role="alert" title={`Could not open ${name}`}>
          {errorText(file.error)}
        </Alert>
      ) : file.data?.kind === 'binary' ? (
        <Alert color="yellow" role="alert" title="Not a text file">
          {name} holds bytes that are not UTF-8 text, so the editor does not open it (saving would damage it). Download
          it instead.
        </Alert>
      ) : (
        <Stack>
          {confirmClose ? (
            <Alert color="yellow" role="alert" title="Unsaved changes">
              <Text size="sm" mb="xs">
                Your changes to {name} are not saved. Close the editor anyway?
              </Text>
              <Group>
                <Button size="xs" color="red" onClick={close}>
                  Discard changes
                </Button>
                <Button size="xs" variant="default" onClick={() => setConfirmClose(false)}>
                  Keep editing
                </Button>
              </Group>
            </Alert>
          ) : null}
          {conflict ? (
            <Alert color="orange" role="alert" title={`${name} changed meanwhile`}>
              <Text size="sm" mb="xs">
                {save.error ? errorText(save.error) : null} Your changes are still here; nothing was saved.
              </Text>
              <Group>
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => {
                    setConflict(false);
                    save.reset();
                    void file.refetch();
                  }}
                >
                  Reload (lose my changes)
                </Button>
                <Button size="xs" color="red" loading={save.isPending} onClick={() => store(null)}>
                  Overwrite anyway
                </Button>
                <Button
                  size="xs"
                  variant="subtle"
                  onClick={() => {
                    setConflict(false);
                    save.reset();
                  }}
                >
                  Keep editing
                </Button>
              </Group>
            </Alert>
          ) : save.isError ? (
            <Alert color="red" role="alert">
              {errorText(save.error)}
            </Alert>
          ) : null}
          <Suspense
            fallback={
              <Group gap="xs" role="status">
                <Loader size="sm" aria-hidden />
                <Text>Loading the editor…</Text>
              </Group>
            }
          >
            {ready ? (
              <CodeEditor value={saved} language={languageOf(name)} label={`Content of ${name}`} onChange={setDraft} />
            ) : null}
          </Suspense>
          <Group justify="space-between">
            <Text size="sm" c="dimmed" aria-live="polite">
              {dirty ? 'Unsaved changes' : 'All changes saved'}
            </Text>
            <Group>
              <Button variant="default" onClick={requestClose}>
                Close
              </Button>
              <Button onClick={() => store(etag)} loading={save.isPending && !conflict} disabled={!dirty || conflict}>
                Save
              </Button>
            </Group>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

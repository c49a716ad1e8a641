import { useState } from 'react';
import { Button, FileButton, Group, Progress, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { FILE_UPLOAD_MAX_BYTES } from '@berth/contracts';
import { ApiError } from '../../api';
import { joinPath, useExtractArchive, useUploadFile } from '../../queries/files';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { errorText } from '../../ui/QueryState';

/** Question is what the controls ask before replacing anything. */
type Question =
  { kind: 'replace-file'; file: File; zip: boolean } | { kind: 'overwrite-extract'; path: string; message: string };

/**
 * UploadControls uploads a file into the folder `dir`, or a zip that is then extracted there (and deleted).
 * Uploads never replace a file silently: they are sent with If-None-Match: *, and a FILE_EXISTS answer
 * asks before sending again; an extraction that would replace files asks the same way. Large uploads show
 * their progress.
 */
export function UploadControls({ siteId, dir }: { siteId: string; dir: string }) {
  const upload = useUploadFile(siteId);
  const extract = useExtractArchive(siteId);
  const [progress, setProgress] = useState<number | null>(null);
  const [question, setQuestion] = useState<Question | null>(null);

  const runExtract = (path: string, overwrite: boolean) =>
    extract.mutate(
      { path, overwrite, deleteArchive: true },
      {
        onSuccess: (result) => {
          setQuestion(null);
          const skipped = result.skipped.length ? ` ${result.skipped.length} link(s) or special file(s) skipped.` : '';
          notifications.show({
            color: 'green',
            message: `Extracted ${result.files} file(s) into ${result.into || 'the site root'}.${skipped}`,
          });
        },
        onError: (error) => {
          if (error instanceof ApiError && error.code === 'FILE_EXISTS' && !overwrite)
            setQuestion({ kind: 'overwrite-extract', path, message: error.message });
          else setQuestion(null);
        },
      },
    );

  const send = (file: File, zip: boolean, replace: boolean) => {
    if (file.size > FILE_UPLOAD_MAX_BYTES) {
      notifications.show({
        color: 'red',
        message: `${file.name} is larger than the ${FILE_UPLOAD_MAX_BYTES / 1024 / 1024} MiB upload limit.`,
      });
      return;
    }
    const path = joinPath(dir, file.name);
    extract.reset();
    setProgress(null);
    upload.mutate(
      { path, file, createOnly: !replace, onProgress: setProgress },
      {
        onSuccess: () => {
          setProgress(null);
          setQuestion(null);
          if (zip) runExtract(path, false);
          else notifications.show({ color: 'green', message: `${file.name} uploaded.` });
        },
        onError: (error) => {
          setProgress(null);
          if (error instanceof ApiError && error.code === 'FILE_EXISTS' && !replace)
            setQuestion({ kind: 'replace-file', file, zip });
          else setQuestion(null);
        },
      },
    );
  };

  const failure = [upload, extract].find(
    (m) => m.isError && !(m.error instanceof ApiError && m.error.code === 'FILE_EXISTS' && question),
  );

  return (
    <Stack gap="xs">
      <Group gap="sm">
        <FileButton onChange={(file) => file && send(file, false, false)}>
          {(props) => (
            <Button {...props} loading={upload.isPending && progress === null}>
              Upload a file
            </Button>
          )}
        </FileButton>
        <FileButton accept=".zip,application/zip" onChange={(file) => file && send(file, true, false)}>
          {(props) => (
            <Button {...props} variant="light" loading={extract.isPending}>
              Upload zip and extract
            </Button>
          )}
        </FileButton>
      </Group>
      {progress !== null && upload.isPending ? (
        <Stack gap={4}>
          <Progress value={progress * 100} aria-label="Upload progress" animated />
          <Text size="xs" c="dimmed">
            Uploading… {Math.round(progress * 100)}%
          </Text>
        </Stack>
      ) : null}
      {failure ? (
        <Text c="red.8" size="sm" role="alert">
          {errorText(failure.error)}
        </Text>
      ) : null}
      <ConfirmModal
        opened={question?.kind === 'replace-file'}
        onClose={() => setQuestion(null)}
        title={`Replace ${question?.kind === 'replace-file' ? question.file.name : ''}?`}
        confirmLabel="Replace"
        pending={upload.isPending}
        error={null}
        onConfirm={() => question?.kind === 'replace-file' && send(question.file, question.zip, true)}
      >
        A file of that name is already in this folder. Replacing it cannot be undone.
      </ConfirmModal>
      <ConfirmModal
        opened={question?.kind === 'overwrite-extract'}
        onClose={() => setQuestion(null)}
        title="Replace existing files?"
        confirmLabel="Replace files"
        pending={extract.isPending}
        error={null}
        onConfirm={() => question?.kind === 'overwrite-extract' && runExtract(question.path, true)}
      >
        {question?.kind === 'overwrite-extract' ? question.message : ''} If you cancel, the zip stays in the folder.
      </ConfirmModal>
    </Stack>
  );
}

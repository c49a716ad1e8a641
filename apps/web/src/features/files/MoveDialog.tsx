import { useEffect, useState } from 'react';
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ZFilePath, type TFileEntry } from '@berth/contracts';
import { ApiError } from '../../api';
import { plainMessage } from '../../forms/plainMessage';
import { useMoveFile } from '../../queries/files';
import { errorText } from '../../ui/QueryState';

export interface MoveDialogProps {
  siteId: string;
  /** The entry to rename or move and its path; null when closed. */
  target: { entry: TFileEntry; path: string } | null;
  onClose: () => void;
}

/**
 * MoveDialog renames or moves a file or folder: the new path is relative to the site's root (folders that
 * do not exist are made). A name that is taken is never replaced without asking; only a file replaces a file.
 */
export function MoveDialog({ siteId, target, onClose }: MoveDialogProps) {
  const move = useMoveFile(siteId);
  const [to, setTo] = useState('');
  const [taken, setTaken] = useState(false);
  useEffect(() => {
    setTo(target?.path ?? '');
    setTaken(false);
    move.reset();
    // Only when another entry is opened (the mutation's reset is stable).
  }, [target?.path]);

  const check = to.trim() ? ZFilePath.safeParse(to.trim()) : null;
  const issue = check && !check.success ? check.error.issues[0]?.message : undefined;
  const close = () => {
    setTaken(false);
    move.reset();
    onClose();
  };
  const submit = (overwrite: boolean) => {
    if (!target) return;
    move.mutate(
      { path: target.path, to: to.trim(), overwrite },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', message: `${target.entry.name} moved to ${to.trim()}.` });
          close();
        },
        onError: (error) => setTaken(error instanceof ApiError && error.code === 'FILE_EXISTS'),
      },
    );
  };
  const isFile = target?.entry.type !== 'directory';

  return (
    <Modal opened={target !== null} onClose={close} title={`Rename or move ${target?.entry.name ?? ''}`} centered>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!issue && to.trim()) submit(false);
        }}
      >
        <Stack>
          <TextInput
            label="New path"
            description="Relative to the site's root, e.g. assets/logo.png; missing folders are made."
            value={to}
            onChange={(event) => {
              setTo(event.currentTarget.value);
              setTaken(false);
              move.reset();
            }}
            error={issue === undefined ? undefined : plainMessage(issue)}
            data-autofocus
          />
          {taken ? (
            <Alert color="orange" role="alert" title="That name is taken">
              <Text size="sm" mb={isFile ? 'xs' : 0}>
                {errorText(move.error)}
              </Text>
              {isFile ? (
                <Button size="xs" color="red" loading={move.isPending} onClick={() => submit(true)}>
                  Replace the existing file
                </Button>
              ) : null}
            </Alert>
          ) : move.isError ? (
            <Alert color="red" role="alert">
              {errorText(move.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              type="submit"
              loading={move.isPending && !taken}
              disabled={!to.trim() || Boolean(issue) || to.trim() === target?.path}
            >
              Move
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

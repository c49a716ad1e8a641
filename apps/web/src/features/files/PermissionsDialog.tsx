import { useEffect, useState } from 'react';
import { Alert, Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { FILE_MODES, type TFileEntry, type TFileMode } from '@berth/contracts';
import { useChangeMode } from '../../queries/files';
import { errorText } from '../../ui/QueryState';

const WHO = ['owner', 'group', 'others'] as const;

/** describeMode says a mode in words: "owner: read, write · group: read · others: read". */
export function describeMode(mode: string, folder: boolean): string {
  return WHO.map((who, i) => {
    const bits = Number(mode[i + 1]);
    const can = [bits & 4 ? 'read' : '', bits & 2 ? 'write' : '', bits & 1 ? (folder ? 'enter' : 'run') : ''].filter(
      Boolean,
    );
    return `${who}: ${can.length ? can.join(', ') : 'nothing'}`;
  }).join(' · ');
}

export interface PermissionsDialogProps {
  siteId: string;
  target: { entry: TFileEntry; path: string } | null;
  onClose: () => void;
}

/** PermissionsDialog sets a file's or folder's mode from the allowed sets (never setuid, setgid or world-writable). */
export function PermissionsDialog({ siteId, target, onClose }: PermissionsDialogProps) {
  const change = useChangeMode(siteId);
  const [mode, setMode] = useState<TFileMode | null>(null);
  const folder = target?.entry.type === 'directory';
  useEffect(() => {
    const current = target?.entry.mode;
    setMode((FILE_MODES as readonly string[]).includes(current ?? '') ? (current as TFileMode) : null);
  }, [target?.entry.mode]);
  const close = () => {
    change.reset();
    onClose();
  };
  return (
    <Modal opened={target !== null} onClose={close} title={`Permissions of ${target?.entry.name ?? ''}`} centered>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!target || !mode) return;
          change.mutate(
            { path: target.path, mode },
            {
              onSuccess: () => {
                notifications.show({ color: 'green', message: `${target.entry.name} is now ${mode}.` });
                close();
              },
            },
          );
        }}
      >
        <Stack>
          <Text size="sm">
            Now: {target ? `${target.entry.mode} (${describeMode(target.entry.mode, folder)})` : ''}
          </Text>
          <Select
            label="Permissions"
            data={FILE_MODES.map((value) => ({ value, label: `${value} — ${describeMode(value, folder)}` }))}
            value={mode}
            onChange={(value) => setMode(value as TFileMode | null)}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
          {change.isError ? (
            <Alert color="red" role="alert">
              {errorText(change.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={change.isPending} disabled={!mode || mode === target?.entry.mode}>
              Set permissions
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

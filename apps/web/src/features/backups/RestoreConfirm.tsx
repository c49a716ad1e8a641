import { useState, type FormEvent, type ReactNode } from 'react';
import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { TBackup } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useRestoreBackup } from '../../queries/backups';
import { errorText } from '../../ui/QueryState';
import { restoreConsequence, restoreRequest, type RestoreTarget } from './backupLabels';

const CONFIRM_LABELS: Record<RestoreTarget['scope'], string> = {
  tenant: 'Restore whole account',
  site: 'Restore site',
  database: 'Restore database',
  path: 'Put back',
};

export interface RestoreConfirmProps {
  tenantId: string;
  backup: TBackup;
  /** What kind of restore this is, which names the confirm button before a site or database is chosen. */
  scope: RestoreTarget['scope'];
  /** What is restored; null while the person has not chosen the site or database yet. */
  target: RestoreTarget | null;
  /** The choice of site or database, shown above the sentence. */
  choice?: ReactNode;
  onCancel: () => void;
  onDone: () => void;
}

/**
 * RestoreConfirm says what a restore will overwrite and queues it once confirmed; restoring the whole account
 * also asks for the account's name to be typed, as deleting does.
 */
export function RestoreConfirm({ tenantId, backup, scope, target, choice, onCancel, onDone }: RestoreConfirmProps) {
  const restore = useRestoreBackup();
  const [typed, setTyped] = useState('');
  const needsTyping = target?.scope === 'tenant';
  const ready = target !== null && (!needsTyping || typed === backup.tenantSlug);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready || !target) return;
    restore.mutate(
      { tenantId, backupId: backup.id, body: restoreRequest(target) },
      {
        onSuccess: () => {
          notifications.show({
            color: 'green',
            message: 'Restore queued. It runs in the background; follow it under Restores.',
          });
          onDone();
        },
      },
    );
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Restore from backup">
      <Stack>
        {choice}
        {target && (
          <Text size="sm" data-testid="restore-consequence">
            {restoreConsequence(backup, target)}
          </Text>
        )}
        {needsTyping && (
          <TextInput
            label={`Type ${backup.tenantSlug} to confirm`}
            value={typed}
            onChange={(event) => setTyped(event.currentTarget.value)}
            autoComplete="off"
            data-autofocus
          />
        )}
        <FormAlert message={restore.error ? errorText(restore.error) : null} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" color="red" disabled={!ready} loading={restore.isPending}>
            {CONFIRM_LABELS[scope]}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

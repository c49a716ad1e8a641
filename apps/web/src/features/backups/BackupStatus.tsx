import { Badge, Group, Loader, Stack, Text } from '@mantine/core';
import type { TBackup } from '@berth/contracts';
import { STATUS_COLORS, STATUS_LABELS } from './backupLabels';

// Mantine cuts a badge's label with an ellipsis when its row is narrow; a status must always be read whole.
const WHOLE = {
  root: { flexShrink: 0, overflow: 'visible' },
  label: { overflow: 'visible', textOverflow: 'clip' },
} as const;

/**
 * BackupStatus shows a backup's or restore's status in words with a spinner while the worker is on it, and
 * why it failed under a failed one.
 */
export function BackupStatus({ status, message }: { status: TBackup['status']; message: string | null }) {
  return (
    <Stack gap={2} data-testid="backup-status" data-status={status}>
      <Group gap={6} wrap="nowrap">
        <Badge color={STATUS_COLORS[status]} variant="light" styles={WHOLE}>
          {STATUS_LABELS[status]}
        </Badge>
        {(status === 'queued' || status === 'running') && <Loader size={12} aria-hidden />}
      </Group>
      {status === 'failed' && message && (
        <Text size="xs" c="red.8">
          {message}
        </Text>
      )}
    </Stack>
  );
}

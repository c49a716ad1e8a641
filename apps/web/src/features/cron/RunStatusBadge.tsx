import { Badge, Group, Loader } from '@mantine/core';
import type { TCronRun } from '@berth/contracts';
import { RUN_STATUS_COLORS, RUN_STATUS_LABELS } from './cronLabels';

// Mantine cuts a badge's label with an ellipsis when its row is narrow; a status must always be read whole.
const WHOLE = {
  root: { flexShrink: 0, overflow: 'visible' },
  label: { overflow: 'visible', textOverflow: 'clip' },
} as const;

/** RunStatusBadge shows how a run went, in words, with a spinner while it is going. */
export function RunStatusBadge({ status }: { status: TCronRun['status'] }) {
  return (
    <Group gap={6} wrap="nowrap" data-testid="run-status" data-status={status}>
      <Badge color={RUN_STATUS_COLORS[status]} variant="light" styles={WHOLE}>
        {RUN_STATUS_LABELS[status]}
      </Badge>
      {status === 'running' && <Loader size={12} aria-hidden />}
    </Group>
  );
}

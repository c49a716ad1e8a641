import { Badge, Group, Loader } from '@mantine/core';
import type { TSiteStatus } from '@berth/contracts';
import { siteStatusLabel } from './siteStatus';
import { isInProgress } from '../../queries/sites';

const COLORS: Record<TSiteStatus, string> = {
  pending: 'gray',
  provisioning: 'blue',
  live: 'green',
  degraded: 'orange',
  failed: 'red',
  suspended: 'orange',
};

// Mantine cuts a badge's label with an ellipsis when its row is narrow; a status must always be read whole.
const WHOLE = {
  root: { flexShrink: 0, overflow: 'visible' },
  label: { overflow: 'visible', textOverflow: 'clip' },
} as const;

/** SiteStatusBadge shows a site's status in words (colour is never the only signal) with a spinner while it converges. */
export function SiteStatusBadge({ status }: { status: TSiteStatus }) {
  return (
    <Group gap={6} wrap="nowrap" style={{ flexShrink: 0 }} data-testid="site-status" data-status={status}>
      <Badge color={COLORS[status]} variant="light" styles={WHOLE}>
        {siteStatusLabel(status)}
      </Badge>
      {isInProgress({ status }) && <Loader size={12} aria-hidden />}
    </Group>
  );
}

import { Badge, Group, Loader } from '@mantine/core';
import type { TSiteStatus } from '@berth/contracts';

const COLORS: Record<TSiteStatus, string> = {
  pending: 'gray',
  provisioning: 'blue',
  live: 'green',
  failed: 'red',
  suspended: 'orange',
};

/** SiteStatusBadge shows a site's status in words (colour is never the only signal) with a spinner while it converges. */
export function SiteStatusBadge({ status }: { status: TSiteStatus }) {
  const working = status === 'pending' || status === 'provisioning';
  return (
    <Group gap={6} wrap="nowrap" data-testid="site-status" data-status={status}>
      <Badge color={COLORS[status]} variant="light">{status}</Badge>
      {working && <Loader size={12} aria-hidden />}
    </Group>
  );
}

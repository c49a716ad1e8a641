import type { TSiteStatus } from '@berth/contracts';

const LABELS: Record<TSiteStatus, string> = {
  pending: 'Pending',
  provisioning: 'Provisioning',
  live: 'Live',
  degraded: 'Degraded',
  failed: 'Failed',
  suspended: 'Suspended',
};

/** siteStatusLabel is a site status in words, as badges and filters show it. */
export function siteStatusLabel(status: TSiteStatus): string {
  return LABELS[status];
}

/**
 * statusMessageColor is the text colour of a site's status message: red when provisioning failed, orange
 * (a shade that keeps 4.5:1 on white, see styles.css) when visitors get errors, dimmed otherwise.
 */
export function statusMessageColor(status: TSiteStatus): string {
  if (status === 'failed') return 'red.8';
  if (status === 'degraded') return 'var(--berth-color-degraded-text)';
  return 'dimmed';
}

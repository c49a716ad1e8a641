import { describe, expect, it } from 'vitest';
import type { TSite } from '@berth/contracts';
import { LIVE_POLL_MS, pollWhileInProgress } from './sites';

const site = (status: TSite['status']) => ({ status }) as TSite;

describe('pollWhileInProgress', () => {
  it('polls while a site is pending or provisioning and stops once all have settled (degraded included)', () => {
    expect(pollWhileInProgress([site('live'), site('pending')])).toBe(LIVE_POLL_MS);
    expect(pollWhileInProgress([site('provisioning')])).toBe(LIVE_POLL_MS);
    expect(pollWhileInProgress([site('live'), site('failed'), site('degraded'), site('suspended')])).toBe(false);
    expect(pollWhileInProgress(undefined)).toBe(false);
  });
});

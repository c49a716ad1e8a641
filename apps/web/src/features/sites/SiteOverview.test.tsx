// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TSite } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders, stubApi } from '../../test/render';
import { SiteOverview } from './SiteOverview';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const failed: TSite = {
  id: 'site000001', tenantId: 'ten0000001', name: 'www', runtime: { kind: 'php', version: '8.4' }, settings: {},
  status: 'failed', statusMessage: 'Image berth/php-fpm:8.4 is not present.', domains: [],
  createdAt: '2026-11-30T00:00:00.000Z', updatedAt: '2026-11-30T00:00:00.000Z',
};

describe('SiteOverview', () => {
  it('shows why a site failed and retries it on request', async () => {
    const requests = stubApi({ 'POST /sites/site000001/retry': { status: 200, body: { ...failed, status: 'pending', statusMessage: null } } });
    renderWithProviders(<SiteOverview site={failed} />);
    expect(screen.getByText('Image berth/php-fpm:8.4 is not present.')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'POST' && r.path === '/sites/site000001/retry')).toBe(true));
  });
});

// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TSite } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { SiteOverview } from './SiteOverview';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const failed: TSite = {
  id: 'site000001',
  tenantId: 'ten0000001',
  name: 'www',
  runtime: { kind: 'php', version: '8.4' },
  settings: {},
  status: 'failed',
  statusMessage: 'Image berth/php-fpm:8.4 is not present.',
  domains: [],
  url: null,
  createdAt: '2026-11-30T00:00:00.000Z',
  updatedAt: '2026-11-30T00:00:00.000Z',
};

describe('SiteOverview', () => {
  it('shows why a site failed and retries it on request', async () => {
    const requests = stubApi({
      'POST /sites/site000001/retry': { status: 200, body: { ...failed, status: 'pending', statusMessage: null } },
    });
    renderWithProviders(<SiteOverview site={failed} />);
    expect(screen.getByText('Image berth/php-fpm:8.4 is not present.')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    await waitFor(() =>
      expect(requests.some((r) => r.method === 'POST' && r.path === '/sites/site000001/retry')).toBe(true),
    );
  });

  it('says visitors get errors from a degraded site, with the reason, and retries it on request', async () => {
    const degraded: TSite = {
      ...failed,
      status: 'degraded',
      statusMessage: 'Visitors of shop.example.com get 502 Bad Gateway from the edge.',
      domains: ['shop.example.com'],
    };
    const requests = stubApi({
      'POST /sites/site000001/retry': { status: 200, body: { ...degraded, status: 'pending', statusMessage: null } },
    });
    renderWithProviders(<SiteOverview site={degraded} />);
    const alert = screen.getByRole('alert');
    expect(within(alert).getByText('Visitors get errors right now')).toBeTruthy();
    expect(within(alert).getByText('Visitors of shop.example.com get 502 Bad Gateway from the edge.')).toBeTruthy();
    expect(screen.getByTestId('site-status').textContent).toBe('Degraded');
    expect(screen.queryByText('Provisioning failed')).toBeNull();
    expect(screen.queryByText('Being set up')).toBeNull();
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry now' }));
    await waitFor(() =>
      expect(requests.some((r) => r.method === 'POST' && r.path === '/sites/site000001/retry')).toBe(true),
    );
  });

  it('shows why a retry of a degraded site was refused', async () => {
    const degraded: TSite = {
      ...failed,
      status: 'degraded',
      statusMessage: 'Visitors of shop.example.com get no answer from the edge.',
    };
    stubApi({
      'POST /sites/site000001/retry': apiError(
        409,
        'SITE_NOT_FAILED',
        'Only a failed or degraded site can be retried; this one is live.',
      ),
    });
    renderWithProviders(<SiteOverview site={degraded} />);
    await userEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(await screen.findByText('Only a failed or degraded site can be retried; this one is live.')).toBeTruthy();
  });
});

// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TSite, TSystemHealth } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../test/render';
import { DashboardPage } from './DashboardPage';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const site = (id: string, name: string, status: TSite['status'], statusMessage: string | null): TSite => ({
  id,
  tenantId: 'ten0000001',
  name,
  runtime: { kind: 'php', version: '8.4' },
  settings: {},
  status,
  statusMessage,
  domains: [],
  createdAt: '2026-11-30T00:00:00.000Z',
  updatedAt: '2026-11-30T00:00:00.000Z',
});
const page = (items: TSite[]) => ({ status: 200, body: { items, total: items.length } });

const blog = site('site000001', 'blog', 'failed', 'Image berth/php-fpm:8.4 is not present.');
const shop = site('site000002', 'shop', 'degraded', 'Visitors of shop.example.com get 502 Bad Gateway from the edge.');
const docs = site('site000003', 'docs', 'degraded', 'Visitors of docs.example.com get no answer from the edge.');
const www = site('site000004', 'www', 'live', null);

const HEALTH: TSystemHealth = {
  ok: true,
  components: {
    database: { ok: true },
    docker: { ok: true },
    caddy: { ok: true },
    reconciler: { ok: true, failingTenants: 0, oldestUnconverged: null },
  },
};

/** dashboardApi answers everything the dashboard reads; `failed` and `degraded` are the two status-filtered lists. */
function dashboardApi(
  failed: ReturnType<typeof page> | ReturnType<typeof apiError>,
  degraded: ReturnType<typeof page> | ReturnType<typeof apiError>,
) {
  return stubApi({
    'GET /tenants?limit=1': { status: 200, body: { items: [], total: 2 } },
    'GET /tenants?status=suspended&limit=1': { status: 200, body: { items: [], total: 0 } },
    'GET /sites?limit=500': page([blog, shop, docs, www]),
    'GET /sites?limit=500&status=failed': failed,
    'GET /sites?limit=500&status=degraded': degraded,
    'GET /events?limit=10': { status: 200, body: { items: [], total: 0 } },
    'GET /system/health': { status: 200, body: HEALTH },
    'POST /sites/site000002/retry': { status: 200, body: { ...shop, status: 'pending', statusMessage: null } },
  });
}

describe('DashboardPage', () => {
  it('counts failed and degraded sites and lists them with their reasons and a Retry button each', async () => {
    const requests = dashboardApi(page([blog]), page([shop, docs]));
    renderWithProviders(<DashboardPage />);

    const list = await screen.findByRole('list', { name: 'Sites that need attention' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((row) => within(row).getByRole('link').textContent)).toEqual(['blog', 'shop', 'docs']);
    expect(rows.map((row) => within(row).getByTestId('site-status').textContent)).toEqual([
      'Failed',
      'Degraded',
      'Degraded',
    ]);
    expect(within(rows[0]!).getByText('Image berth/php-fpm:8.4 is not present.')).toBeTruthy();
    expect(within(rows[1]!).getByText('Visitors of shop.example.com get 502 Bad Gateway from the edge.')).toBeTruthy();
    expect(within(rows[2]!).getByText('Visitors of docs.example.com get no answer from the edge.')).toBeTruthy();
    expect(within(rows[1]!).getByRole('link', { name: 'shop' }).getAttribute('href')).toBe('/sites/site000002');
    expect(screen.getByTestId('count-Failed').textContent).toBe('1');
    expect(screen.getByTestId('count-Degraded').textContent).toBe('2');
    expect(screen.queryByText('Every site is live.')).toBeNull();

    await userEvent.click(within(rows[1]!).getByRole('button', { name: 'Retry shop' }));
    await waitFor(() =>
      expect(requests.some((r) => r.method === 'POST' && r.path === '/sites/site000002/retry')).toBe(true),
    );
  });

  it('says every site is live only when both lists loaded empty', async () => {
    dashboardApi(page([]), page([]));
    renderWithProviders(<DashboardPage />);
    expect(await screen.findByText('Every site is live.')).toBeTruthy();
    expect(screen.getByTestId('count-Failed').textContent).toBe('0');
    expect(screen.getByTestId('count-Degraded').textContent).toBe('0');
  });

  it('does not reassure when the degraded sites could not be loaded', async () => {
    dashboardApi(page([]), apiError(500, 'INTERNAL', 'The database is not answering.'));
    renderWithProviders(<DashboardPage />);
    const error = await screen.findByRole('alert', { name: 'Could not load degraded sites' });
    expect(within(error).getByText('The database is not answering.')).toBeTruthy();
    expect(screen.getByTestId('count-Degraded').textContent).toBe('?');
    expect(screen.getByTestId('count-Failed').textContent).toBe('0');
    expect(screen.queryByText('Every site is live.')).toBeNull();
  });

  it('still lists the failed sites when the degraded ones could not be loaded', async () => {
    dashboardApi(page([blog]), apiError(500, 'INTERNAL', 'The database is not answering.'));
    renderWithProviders(<DashboardPage />);
    expect(await screen.findByRole('alert', { name: 'Could not load degraded sites' })).toBeTruthy();
    const list = await screen.findByRole('list', { name: 'Sites that need attention' });
    expect(within(list).getByText('Image berth/php-fpm:8.4 is not present.')).toBeTruthy();
    expect(screen.queryByText('Every site is live.')).toBeNull();
  });
});

// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import type { TEvent, TSite, TSystemHealth, TTenantUsage } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useSession } from '../queries/session';
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
  url: null,
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

const session = (role: 'admin' | 'tenant-owner', tenantId: string | null) => ({
  status: 200,
  body: {
    user: { id: 'user000001', email: 'me@example.test', role, tenantId, createdAt: '2026-01-01T00:00:00.000Z' },
    csrfToken: 'csrf',
    twoFactor: { enabled: false, enrolmentRequired: false },
  },
});

/** SignedIn renders its children once the session is read, as the shell does. */
function SignedIn({ children }: { children: ReactNode }) {
  return useSession().data ? <>{children}</> : null;
}

/** dashboardApi answers everything the dashboard reads; `failed` and `degraded` are the two status-filtered lists. */
function dashboardApi(
  failed: ReturnType<typeof page> | ReturnType<typeof apiError>,
  degraded: ReturnType<typeof page> | ReturnType<typeof apiError>,
) {
  return stubApi({
    'GET /me': session('admin', null),
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
    renderWithProviders(
      <SignedIn>
        <DashboardPage />
      </SignedIn>,
    );

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
    renderWithProviders(
      <SignedIn>
        <DashboardPage />
      </SignedIn>,
    );
    expect(await screen.findByText('Every site is live.')).toBeTruthy();
    expect(screen.getByTestId('count-Failed').textContent).toBe('0');
    expect(screen.getByTestId('count-Degraded').textContent).toBe('0');
  });

  it('does not reassure when the degraded sites could not be loaded', async () => {
    dashboardApi(page([]), apiError(500, 'INTERNAL', 'The database is not answering.'));
    renderWithProviders(
      <SignedIn>
        <DashboardPage />
      </SignedIn>,
    );
    const error = await screen.findByRole('alert', { name: 'Could not load degraded sites' });
    expect(within(error).getByText('The database is not answering.')).toBeTruthy();
    expect(screen.getByTestId('count-Degraded').textContent).toBe('?');
    expect(screen.getByTestId('count-Failed').textContent).toBe('0');
    expect(screen.queryByText('Every site is live.')).toBeNull();
  });

  it('still lists the failed sites when the degraded ones could not be loaded', async () => {
    dashboardApi(page([blog]), apiError(500, 'INTERNAL', 'The database is not answering.'));
    renderWithProviders(
      <SignedIn>
        <DashboardPage />
      </SignedIn>,
    );
    expect(await screen.findByRole('alert', { name: 'Could not load degraded sites' })).toBeTruthy();
    const list = await screen.findByRole('list', { name: 'Sites that need attention' });
    expect(within(list).getByText('Image berth/php-fpm:8.4 is not present.')).toBeTruthy();
    expect(screen.queryByText('Every site is live.')).toBeNull();
  });
});

const TENANT = 'ten0000001';
const USAGE: TTenantUsage = {
  accountId: TENANT,
  username: 'acme',
  plan: { id: 'plan000001', name: 'Standard' },
  sites: { used: 2, limit: 3 },
  domains: { used: 3, limit: 10 },
  databases: { used: 1, limit: 5 },
  disk: { usedBytes: 52_428_800, limitBytes: 1_048_576_000, filesBytes: 41_943_040, databasesBytes: 10_485_760 },
  bandwidth: {
    usedBytes: 1_288_490_189,
    limitBytes: 10_737_418_240,
    periodStart: '2026-11-01T00:00:00.000Z',
    periodEnd: '2026-12-01T00:00:00.000Z',
  },
  measuredAt: '2026-11-23T10:00:00.000Z',
};
const shopLive: TSite = {
  ...site('site000010', 'shop', 'live', null),
  domains: ['shop.acme.test'],
  url: 'https://shop.acme.test:8443',
};
const draft: TSite = site('site000011', 'draft', 'pending', null);
const event = (id: string, at: string, over: Partial<TEvent>): TEvent => ({
  id,
  at,
  actor: 'system',
  actorName: null,
  action: 'tenant.reconcile-failed',
  targetType: 'tenant',
  targetId: TENANT,
  targetName: 'acme',
  tenantId: TENANT,
  result: 'error',
  message: 'No such image: berth/php-fpm:8.4',
  ip: null,
  details: null,
  ...over,
});

function homeApi(events: TEvent[]) {
  return stubApi({
    'GET /me': session('tenant-owner', TENANT),
    [`GET /tenants/${TENANT}/usage`]: { status: 200, body: USAGE },
    'GET /sites?limit=500': page([shopLive, draft]),
    'GET /events?limit=10': { status: 200, body: { items: events, total: events.length } },
    'GET /sites/site000010/domains': {
      status: 200,
      body: {
        items: [
          {
            id: 'dom0000010',
            hostname: 'shop.acme.test',
            siteId: 'site000010',
            tenantId: TENANT,
            kind: 'primary',
            redirectTo: null,
            redirectCode: null,
            tls: 'internal',
            wwwRedirect: 'none',
            createdAt: '2026-11-30T00:00:00.000Z',
            updatedAt: '2026-11-30T00:00:00.000Z',
          },
        ],
        total: 1,
      },
    },
    'GET /domains/dom0000010/certificate': {
      status: 200,
      body: {
        hostname: 'shop.acme.test',
        tls: 'internal',
        issuer: 'Caddy Local Authority',
        notAfter: '2026-12-24T10:00:00.000Z',
        checkedAt: '2026-11-30T10:00:00.000Z',
        error: null,
      },
    },
    'GET /sites/site000011/domains': { status: 200, body: { items: [], total: 0 } },
  });
}

describe('DashboardPage for a tenant user', () => {
  it('is its home: the account against the plan, each site with status, certificate and a link to visit it', async () => {
    const requests = homeApi([]);
    renderWithProviders(
      <SignedIn>
        <DashboardPage />
      </SignedIn>,
    );
    expect(await screen.findByRole('heading', { name: 'Home' })).toBeTruthy();
    expect(await screen.findByText('2 of 3 sites')).toBeTruthy();
    expect(screen.getByTestId('usage-Domains').textContent).toBe('3 of 10 domains');
    expect(screen.getByTestId('usage-Databases').textContent).toBe('1 of 5 databases');
    expect(screen.getByTestId('usage-Disk').textContent).toBe('50 MB of 1000 MB');
    expect(screen.getByTestId('usage-Bandwidth this month').textContent).toBe('1.2 GB of 10 GB');
    expect(screen.getByRole('heading', { name: 'Your plan: Standard' })).toBeTruthy();

    const sites = await screen.findByRole('list', { name: 'Your sites' });
    const shop = within(sites).getByRole('listitem', { name: 'shop' });
    expect(within(shop).getByTestId('site-status').textContent).toBe('Live');
    const visit = within(shop).getByRole('link', { name: /^Visit site .+, site shop$/ });
    expect(visit.getAttribute('href')).toBe('https://shop.acme.test:8443');
    expect(visit.getAttribute('target')).toBe('_blank');
    expect(await within(shop).findByText(/Caddy Local Authority, valid until/)).toBeTruthy();

    const pending = within(sites).getByRole('listitem', { name: 'draft' });
    expect(within(pending).getByTestId('site-status').textContent).toBe('Pending');
    expect(within(pending).getByText('Add a domain to visit this site')).toBeTruthy();
    expect(within(pending).queryByRole('link', { name: /Visit site/ })).toBeNull();
    expect(within(pending).getByText('No domain yet')).toBeTruthy();

    // A tenant user's home never asks for the operator's views.
    expect(requests.some((r) => r.path.startsWith('/system/health') || r.path.startsWith('/tenants?'))).toBe(false);
  });

  it('shows recent activity in words, with names, and the panel’s repeated retries as one line', async () => {
    const now = Date.now();
    const ago = (min: number) => new Date(now - min * 60_000).toISOString();
    const retries = Array.from({ length: 14 }, (_, i) => event(`evt${String(i).padStart(7, '0')}`, ago(3 + i), {}));
    homeApi([
      event('evu0000001', ago(1), {
        actor: 'user:user000001',
        actorName: 'me@example.test',
        action: 'site.update',
        targetType: 'site',
        targetId: 'site000010',
        targetName: 'shop',
        result: 'ok',
        message: null,
        details: {
          runtime: { kind: 'php', version: '8.4' },
          from: { kind: 'php', version: '8.2' },
          settingsChanged: false,
        },
      }),
      ...retries,
    ]);
    renderWithProviders(
      <SignedIn>
        <DashboardPage />
      </SignedIn>,
    );
    const table = await screen.findByRole('table', { name: 'Events' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByTestId('event-summary').textContent).toBe('Changed site shop');
    expect(within(rows[0]!).getByTestId('event-change').textContent).toBe('PHP 8.2 → 8.4');
    expect(within(rows[0]!).getByTestId('event-actor').textContent).toBe('me@example.test');
    expect(within(rows[0]!).getByText('Done')).toBeTruthy();
    expect(within(rows[1]!).getByTestId('event-repeats').textContent).toBe('Retried 14 times, last 3 min ago');
    expect(within(rows[1]!).getByTestId('event-actor').textContent).toBe('Berth (automatic)');
    expect(within(rows[1]!).getByText('Failed')).toBeTruthy();
  });
});

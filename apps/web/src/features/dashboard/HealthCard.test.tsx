// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import type { TReconcilerHealth, TSystemHealth } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders, stubApi } from '../../test/render';
import { HealthCard } from './HealthCard';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const health = (reconciler: TReconcilerHealth): { status: number; body: TSystemHealth } => ({
  status: 200,
  body: {
    ok: reconciler.ok,
    components: { database: { ok: true }, docker: { ok: true }, caddy: { ok: true }, reconciler },
  },
});

describe('HealthCard', () => {
  it('shows a healthy reconciler as ok', async () => {
    stubApi({ 'GET /system/health': health({ ok: true, failingTenants: 0, oldestUnconverged: null }) });
    renderWithProviders(<HealthCard />);
    const line = await screen.findByRole('group', { name: 'Reconciler' });
    expect(within(line).getByText('ok')).toBeTruthy();
    expect(within(line).queryByText(/failing/)).toBeNull();
  });

  it('shows how many tenants fail and the one waiting longest: since when, after how many passes, and why', async () => {
    const since = new Date(Date.now() - 4 * 60_000 - 10_000).toISOString();
    stubApi({
      'GET /system/health': health({
        ok: false,
        failingTenants: 2,
        oldestUnconverged: {
          tenantId: 'ten0000001',
          tenantSlug: 'acme',
          since,
          failedPasses: 3,
          lastError: 'No such image: berth/php-fpm:8.4',
        },
      }),
    });
    renderWithProviders(<HealthCard />);
    const line = await screen.findByRole('group', { name: 'Reconciler' });
    expect(within(line).getByText('failing')).toBeTruthy();
    expect(within(line).getByText('2 tenants failing')).toBeTruthy();
    expect(within(line).getByRole('link', { name: 'acme' }).getAttribute('href')).toBe('/tenants/ten0000001');
    expect(line.textContent).toContain('Oldest unconverged: acme, for 4 min, 3 failed passes');
    expect(within(line).getByText('No such image: berth/php-fpm:8.4')).toBeTruthy();
  });

  it('names a tenant without a slug by its id', async () => {
    const since = new Date(Date.now() - 90 * 60_000).toISOString();
    stubApi({
      'GET /system/health': health({
        ok: false,
        failingTenants: 1,
        oldestUnconverged: {
          tenantId: 'ten0000009',
          tenantSlug: null,
          since,
          failedPasses: 1,
          lastError: 'Caddy admin API did not answer.',
        },
      }),
    });
    renderWithProviders(<HealthCard />);
    const line = await screen.findByRole('group', { name: 'Reconciler' });
    expect(within(line).getByText('1 tenant failing')).toBeTruthy();
    expect(within(line).getByRole('link', { name: 'ten0000009' }).getAttribute('href')).toBe('/tenants/ten0000009');
    expect(line.textContent).toContain('for 1 h 30 min, 1 failed pass');
  });
});

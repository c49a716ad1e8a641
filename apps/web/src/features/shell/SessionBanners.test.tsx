// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { Shell } from './Shell';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const TWO_FACTOR = { enabled: false, enrolmentRequired: false };
const OWNER = {
  id: 'u1ownerowner',
  email: 'owner@acme.test',
  role: 'tenant-owner',
  tenantId: 't1acmeacmeac',
  createdAt: '2026-01-01T00:00:00.000Z',
};
const ADMIN = {
  id: 'u1adminadmin',
  email: 'admin@example.com',
  role: 'admin',
  tenantId: null,
  createdAt: OWNER.createdAt,
};
const ACME = { id: OWNER.tenantId, slug: 'acme', name: 'Acme Ltd', status: 'active', suspendedReason: null };

function renderConsole(route: string) {
  return renderWithProviders(
    <Routes>
      <Route path="/" element={<Shell />}>
        <Route index element={<h1>Home</h1>} />
        <Route path="sites" element={<h1>Sites page</h1>} />
        <Route path="tenants/:tenantId" element={<h1>Tenant page</h1>} />
      </Route>
      <Route path="/login" element={<h1>Sign in</h1>} />
    </Routes>,
    { route },
  );
}

describe('session banners', () => {
  it('tell on every page that an administrator is signed in as the tenant, and return them to the tenant page', async () => {
    const requests = stubApi({
      'GET /me': {
        status: 200,
        body: {
          user: OWNER,
          csrfToken: 'csrf-owner',
          twoFactor: TWO_FACTOR,
          tenant: ACME,
          impersonatedBy: { email: ADMIN.email, expiresAt: '2026-01-01T01:00:00.000Z' },
        },
      },
      'POST /auth/impersonation/end': {
        status: 200,
        body: { user: ADMIN, csrfToken: 'csrf-admin', twoFactor: TWO_FACTOR },
      },
    });
    renderConsole('/sites');
    const banner = await screen.findByTestId('impersonation-banner');
    expect(banner.textContent).toContain('You are signed in as Acme Ltd by admin@example.com.');
    expect(screen.getByRole('heading', { name: 'Sites page' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Return to your account' }));
    expect(await screen.findByRole('heading', { name: 'Tenant page' })).toBeTruthy();
    expect(screen.queryByTestId('impersonation-banner')).toBeNull();
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/auth/impersonation/end']);
  });

  it('sign out when the administrator has nowhere to return to', async () => {
    stubApi({
      'GET /me': {
        status: 200,
        body: {
          user: OWNER,
          csrfToken: 'c',
          twoFactor: TWO_FACTOR,
          tenant: ACME,
          impersonatedBy: { email: ADMIN.email, expiresAt: '2026-01-01T01:00:00.000Z' },
        },
      },
      'POST /auth/impersonation/end': apiError(401, 'UNAUTHENTICATED', 'Sign in again.'),
    });
    renderConsole('/');
    await userEvent.click(await screen.findByRole('button', { name: 'Return to your account' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
  });

  it("show a suspended account's users the operator's reason, as text", async () => {
    stubApi({
      'GET /me': {
        status: 200,
        body: {
          user: OWNER,
          csrfToken: 'c',
          twoFactor: TWO_FACTOR,
          tenant: { ...ACME, status: 'suspended', suspendedReason: 'Invoice <b>42</b> is overdue' },
        },
      },
    });
    renderConsole('/');
    const banner = await screen.findByTestId('suspension-banner');
    expect(banner.textContent).toBe('Your account is suspended: Invoice <b>42</b> is overdue. Contact your provider.');
    expect(banner.querySelector('b')).toBeNull();
    expect(screen.queryByTestId('impersonation-banner')).toBeNull();
  });

  it('show nothing for an active account or an administrator', async () => {
    stubApi({ 'GET /me': { status: 200, body: { user: ADMIN, csrfToken: 'c', twoFactor: TWO_FACTOR } } });
    renderConsole('/');
    await screen.findByRole('heading', { name: 'Home' });
    expect(screen.queryByTestId('suspension-banner')).toBeNull();
    expect(screen.queryByTestId('impersonation-banner')).toBeNull();
  });
});

// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TTenant } from '@berth/contracts';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { SuspendTenantModal } from './SuspendTenantModal';
import { TenantOperatorTools } from './TenantOperatorTools';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const TENANT: TTenant = {
  id: 't1acmeacmeac',
  slug: 'acme',
  name: 'Acme Ltd',
  planId: 'p1planplanpl',
  status: 'active',
  suspendedReason: null,
  webserver: 'nginx',
  varnishEnabled: false,
  ports: { web: 20000, cache: 20001 },
  ownerEmail: 'owner@acme.test',
  siteCount: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const OWNER_SESSION = {
  user: {
    id: 'u1ownerowner',
    email: 'owner@acme.test',
    role: 'tenant-owner',
    tenantId: TENANT.id,
    createdAt: TENANT.createdAt,
  },
  csrfToken: 'csrf-owner',
  twoFactor: { enabled: false, enrolmentRequired: false },
  impersonatedBy: { email: 'admin@example.com', expiresAt: '2026-01-01T01:00:00.000Z' },
};

describe('TenantOperatorTools', () => {
  it('asks before signing in as the tenant, then opens the console as its owner', async () => {
    const requests = stubApi({ [`POST /tenants/${TENANT.id}/impersonate`]: { status: 200, body: OWNER_SESSION } });
    renderWithProviders(
      <Routes>
        <Route path="/tenants/:tenantId" element={<TenantOperatorTools tenant={TENANT} />} />
        <Route path="/" element={<h1>Owner home</h1>} />
      </Routes>,
      { route: `/tenants/${TENANT.id}` },
    );
    await userEvent.click(screen.getByRole('button', { name: 'Sign in as this tenant' }));
    const dialog = await screen.findByRole('dialog', { name: 'Sign in as acme?' });
    expect(dialog.textContent).toContain('owner@acme.test');
    expect(requests).toEqual([]);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign in as this tenant' }));
    expect(await screen.findByRole('heading', { name: 'Owner home' })).toBeTruthy();
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /tenants/${TENANT.id}/impersonate`]);
  });

  it('shows why signing in as the tenant was refused', async () => {
    stubApi({
      [`POST /tenants/${TENANT.id}/impersonate`]: apiError(
        403,
        'FORBIDDEN',
        'Only an administrator signed in to the console can sign in as a tenant.',
      ),
    });
    renderWithProviders(<TenantOperatorTools tenant={TENANT} />);
    await userEvent.click(screen.getByRole('button', { name: 'Sign in as this tenant' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign in as this tenant' }));
    expect(await within(dialog).findByText(/Only an administrator signed in to the console/)).toBeTruthy();
  });

  it('resets the owner password to a generated one and shows exactly what was set, once', async () => {
    const requests = stubApi({ [`PUT /accounts/${TENANT.id}/password`]: { status: 200, body: { ok: true } } });
    renderWithProviders(<TenantOperatorTools tenant={TENANT} />);
    await userEvent.click(screen.getByRole('button', { name: 'Reset owner password' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Reset password' }));
    const shown = await within(dialog).findByLabelText('New owner password');
    const sent = (requests[0]?.body as { password: string }).password;
    expect(sent).toMatch(/^[a-zA-Z2-9]{20}$/);
    expect(shown.textContent).toBe(sent);
    await userEvent.click(within(dialog).getByRole('button', { name: 'I have stored it' }));
    await waitFor(() => expect(screen.queryByLabelText('New owner password')).toBeNull());
  });

  it('refuses a typed password that is too short at its field, before sending', async () => {
    const requests = stubApi({});
    renderWithProviders(<TenantOperatorTools tenant={TENANT} />);
    await userEvent.click(screen.getByRole('button', { name: 'Reset owner password' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByText('Type one'));
    await userEvent.type(within(dialog).getByLabelText(/^New password/), 'short');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Reset password' }));
    expect(await within(dialog).findByText('A password is at least 12 characters.')).toBeTruthy();
    expect(requests).toEqual([]);
  });
});

describe('SuspendTenantModal', () => {
  it('sends the reason the tenant users will read', async () => {
    const requests = stubApi({
      [`POST /tenants/${TENANT.id}/suspend`]: {
        status: 200,
        body: { ...TENANT, status: 'suspended', suspendedReason: 'Invoice 42 overdue' },
      },
    });
    const onClose = vi.fn();
    renderWithProviders(<SuspendTenantModal tenant={TENANT} opened onClose={onClose} />);
    await userEvent.type(screen.getByLabelText(/^Reason/), '  Invoice 42 overdue ');
    await userEvent.click(screen.getByRole('button', { name: 'Suspend' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(requests[0]).toMatchObject({ method: 'POST', body: { reason: 'Invoice 42 overdue' } });
  });

  it('suspends without a body when no reason is given, and refuses a reason over 300 characters', async () => {
    const requests = stubApi({ [`POST /tenants/${TENANT.id}/suspend`]: { status: 200, body: TENANT } });
    const onClose = vi.fn();
    renderWithProviders(<SuspendTenantModal tenant={TENANT} opened onClose={onClose} />);
    const reason = screen.getByLabelText(/^Reason/);
    await userEvent.click(reason);
    await userEvent.paste('x'.repeat(301));
    await userEvent.click(screen.getByRole('button', { name: 'Suspend' }));
    expect(await screen.findByText('A reason is at most 300 characters.')).toBeTruthy();
    expect(requests).toEqual([]);
    await userEvent.clear(reason);
    await userEvent.click(screen.getByRole('button', { name: 'Suspend' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(requests).toEqual([{ method: 'POST', path: `/tenants/${TENANT.id}/suspend`, body: undefined }]);
  });
});

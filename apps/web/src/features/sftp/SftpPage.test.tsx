// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TSftpAccess } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { SftpPanel } from './SftpPage';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const TENANT = { id: 'ten0000001', slug: 'shop', name: 'Shop', planId: 'plan000001', status: 'active' };
const KEY = {
  id: 'key0000001',
  name: 'Work laptop',
  type: 'ssh-ed25519',
  fingerprint: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
  createdAt: '2026-12-01T00:00:00.000Z',
};
const ACCESS: TSftpAccess = {
  tenantId: TENANT.id,
  enabled: true,
  login: 'shop',
  host: 'files.example.com',
  port: 2222,
  home: '/sites',
  hasPassword: false,
  keys: [KEY],
  active: true,
};
const PUBLIC_KEY = `ssh-ed25519 ${'AAAAC3NzaC1lZDI1NTE5AAAAI'.padEnd(68, 'Q')} me@laptop`;

function ownerApi(extra: Parameters<typeof stubApi>[0] = {}) {
  return stubApi({
    'GET /sftp': { status: 200, body: ACCESS },
    [`GET /tenants/${TENANT.id}`]: { status: 200, body: TENANT },
    ...extra,
  });
}

function renderOwner() {
  renderWithProviders(<SftpPanel operator={false} tenantId={TENANT.id} />);
}

describe('SftpPanel', () => {
  it('shows where to connect, the command line to copy, whether it works, and the keys', async () => {
    ownerApi();
    renderOwner();
    expect((await screen.findByLabelText('SFTP command')).textContent).toBe('sftp -P 2222 shop@files.example.com');
    expect(screen.getByRole('button', { name: 'Copy command' })).toBeTruthy();
    expect(screen.getByText('files.example.com')).toBeTruthy();
    expect(screen.getByText('/sites')).toBeTruthy();
    expect(screen.getByTestId('sftp-state').textContent).toBe('Active');
    expect(screen.getByText('Sign in with an SSH key.')).toBeTruthy();
    const keys = screen.getByRole('table', { name: 'SSH keys' });
    expect(within(keys).getByText(KEY.fingerprint)).toBeTruthy();
    expect(within(keys).getByText('ssh-ed25519')).toBeTruthy();
  });

  it('says what is missing when the login does not work, and when the account is suspended', async () => {
    ownerApi({ 'GET /sftp': { status: 200, body: { ...ACCESS, enabled: false, keys: [], active: false } } });
    renderOwner();
    expect(await screen.findByText('Not active: turn it on and set a password or add a key.')).toBeTruthy();
    cleanup();
    ownerApi({
      'GET /sftp': { status: 200, body: { ...ACCESS, active: false } },
      [`GET /tenants/${TENANT.id}`]: { status: 200, body: { ...TENANT, status: 'suspended' } },
    });
    renderOwner();
    expect(await screen.findByText(/The account is suspended/)).toBeTruthy();
    expect(screen.getByTestId('sftp-state').textContent).toBe('Suspended');
  });

  it('turns SFTP off', async () => {
    const requests = ownerApi({ 'PUT /sftp': { status: 200, body: { ...ACCESS, enabled: false, active: false } } });
    renderOwner();
    await userEvent.click(await screen.findByRole('switch', { name: /^SFTP access/ }));
    await waitFor(() => expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({ enabled: false }));
  });

  it('generates a password and shows it once, then forgets it', async () => {
    const requests = ownerApi({ 'POST /sftp/password': { status: 200, body: { password: 'Xk4vP9qL2mR7tW3z' } } });
    renderOwner();
    await userEvent.click(await screen.findByRole('button', { name: 'Set password' }));
    const form = await screen.findByRole('form', { name: 'Set SFTP password' });
    await userEvent.click(within(form).getByRole('button', { name: 'Generate password' }));
    expect((await screen.findByLabelText('SFTP password of shop')).textContent).toBe('Xk4vP9qL2mR7tW3z');
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({});
    await userEvent.click(screen.getByRole('button', { name: 'I have stored it' }));
    await waitFor(() => expect(screen.queryByText('Xk4vP9qL2mR7tW3z')).toBeNull());
  });

  it('refuses a typed password shorter than 12 characters at the field', async () => {
    const requests = ownerApi();
    renderOwner();
    await userEvent.click(await screen.findByRole('button', { name: 'Set password' }));
    const form = await screen.findByRole('form', { name: 'Set SFTP password' });
    await userEvent.type(within(form).getByLabelText(/^New password/), 'short');
    await userEvent.click(within(form).getByRole('button', { name: 'Set password' }));
    expect(
      await within(form).findByText('Use at least 12 characters, or leave it empty to get a generated one.'),
    ).toBeTruthy();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('shows what is wrong with a key at the key field: the form’s own check, then the server’s', async () => {
    const requests = ownerApi({
      'POST /sftp/keys': apiError(422, 'VALIDATION_FAILED', 'This key is already added.', [
        { path: ['publicKey'], message: 'This key is already added.' },
      ]),
    });
    renderOwner();
    await userEvent.click(await screen.findByRole('button', { name: 'Add key' }));
    const form = await screen.findByRole('form', { name: 'Add SSH key' });
    await userEvent.type(within(form).getByLabelText(/^Name/), 'Home');
    const field = within(form).getByLabelText(/^Public key/);
    await userEvent.type(field, '-----BEGIN OPENSSH PRIVATE KEY-----');
    await userEvent.click(within(form).getByRole('button', { name: 'Add key' }));
    expect(
      await within(form).findByText('This is a private key: paste the public key (the .pub file) instead.'),
    ).toBeTruthy();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    await userEvent.clear(field);
    await userEvent.type(field, PUBLIC_KEY);
    await userEvent.click(within(form).getByRole('button', { name: 'Add key' }));
    expect(await within(form).findByText('This key is already added.')).toBeTruthy();
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ name: 'Home', publicKey: PUBLIC_KEY });
  });

  it('asks before removing a key', async () => {
    const requests = ownerApi({ [`DELETE /sftp/keys/${KEY.id}`]: { status: 200, body: { ok: true } } });
    renderOwner();
    const keys = await screen.findByRole('table', { name: 'SSH keys' });
    await userEvent.click(within(keys).getByRole('button', { name: `Remove key ${KEY.name}` }));
    const dialog = await screen.findByRole('dialog', { name: `Remove the key ${KEY.name}?` });
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove key' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'DELETE')).toBe(true));
  });

  it('names the picked tenant in every request for operators', async () => {
    const requests = ownerApi({
      'GET /tenants?limit=500': { status: 200, body: { items: [TENANT], total: 1 } },
      [`GET /sftp?tenantId=${TENANT.id}`]: { status: 200, body: ACCESS },
      'PUT /sftp': { status: 200, body: { ...ACCESS, enabled: false } },
    });
    renderWithProviders(<SftpPanel operator />);
    expect(await screen.findByText('Pick a tenant to see and change its SFTP access.')).toBeTruthy();
    expect(requests.some((r) => r.path.startsWith('/sftp'))).toBe(false);
    await userEvent.click(screen.getByRole('combobox', { name: 'Tenant' }));
    await userEvent.click(await screen.findByRole('option', { name: 'shop — Shop' }));
    await userEvent.click(await screen.findByRole('switch', { name: /^SFTP access/ }));
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({ tenantId: TENANT.id, enabled: false }),
    );
  });
});

// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TDatabase, TDatabaseUser } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { DatabasesPanel } from './DatabasesPage';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const TENANT = { id: 'ten0000001', slug: 'shop', name: 'Shop', planId: 'plan000001' };
const PLAN = { id: 'plan000001', name: 'Small', maxDatabases: 5 };
const BLOG: TDatabase = {
  id: 'db00000001',
  tenantId: TENANT.id,
  engine: 'mariadb',
  name: 'shop_blog',
  sizeBytes: 3_355_443,
  sizeCheckedAt: '2026-12-01T00:00:00.000Z',
  users: [{ id: 'dbu0000001', name: 'shop_blog' }],
  connection: { host: 'localhost', socket: '/run/mysqld/mysqld.sock', port: null },
  createdAt: '2026-12-01T00:00:00.000Z',
};
const STATS: TDatabase = {
  ...BLOG,
  id: 'db00000002',
  engine: 'postgresql',
  name: 'shop_stats',
  sizeBytes: null,
  sizeCheckedAt: null,
  users: [],
  connection: { host: '/run/postgresql', socket: '/run/postgresql/.s.PGSQL.5432', port: null },
};
const BLOG_USER: TDatabaseUser = {
  id: 'dbu0000001',
  tenantId: TENANT.id,
  engine: 'mariadb',
  name: 'shop_blog',
  databases: [{ id: BLOG.id, name: BLOG.name }],
  createdAt: '2026-12-01T00:00:00.000Z',
};
const STATS_USER: TDatabaseUser = {
  ...BLOG_USER,
  id: 'dbu0000002',
  engine: 'postgresql',
  name: 'shop_reader',
  databases: [],
};
const page = <T,>(items: T[]) => ({ status: 200, body: { items, total: items.length } });

/** ownerApi answers what the panel reads for an account owner with two databases and two users. */
function ownerApi(extra: Parameters<typeof stubApi>[0] = {}) {
  return stubApi({
    'GET /databases': page([BLOG, STATS]),
    'GET /database-users': page([BLOG_USER, STATS_USER]),
    'GET /tenants/ten0000001': { status: 200, body: TENANT },
    'GET /plans/plan000001': { status: 200, body: PLAN },
    ...extra,
  });
}

function renderOwner() {
  renderWithProviders(<DatabasesPanel operator={false} tenantId={TENANT.id} />);
}

describe('DatabasesPanel', () => {
  it('lists databases with engine, full name, size and users, users with their databases, and how to connect', async () => {
    ownerApi();
    renderOwner();
    const databases = await screen.findByRole('table', { name: 'Databases' });
    const blog = databases.querySelector<HTMLElement>('[data-database-name="shop_blog"]')!;
    expect(within(blog).getByText('MariaDB')).toBeTruthy();
    expect(within(blog).getByText('3.2 MB')).toBeTruthy();
    const stats = databases.querySelector<HTMLElement>('[data-database-name="shop_stats"]')!;
    expect(within(stats).getByText('PostgreSQL')).toBeTruthy();
    expect(within(stats).getByText('not measured yet')).toBeTruthy();
    expect(within(stats).getByText('no user yet')).toBeTruthy();

    const users = screen.getByRole('table', { name: 'Database users' });
    expect(within(users).getByRole('button', { name: 'Open phpMyAdmin as shop_blog' })).toBeTruthy();
    expect(within(users).getByRole('button', { name: 'Open Adminer as shop_reader' })).toBeTruthy();

    expect(within(screen.getByTestId('connection-mariadb')).getByText('localhost')).toBeTruthy();
    expect(within(screen.getByTestId('connection-mariadb')).getByText('/run/mysqld/mysqld.sock')).toBeTruthy();
    expect(within(screen.getByTestId('connection-postgresql')).getByText('/run/postgresql')).toBeTruthy();
    expect(await screen.findByText(/2 of the 5 databases of your plan used/)).toBeTruthy();
  });

  it('shows the new user’s password once after creating a database, and forgets it when closed', async () => {
    const requests = ownerApi({
      'POST /databases': {
        status: 201,
        body: {
          ...BLOG,
          id: 'db00000003',
          name: 'shop_wiki',
          users: [],
          user: { ...BLOG_USER, id: 'dbu0000003', name: 'shop_wiki', password: 'Zq4xV8nR2mT6pL0sK3wY9bHd' },
        },
      },
    });
    renderOwner();
    await screen.findByRole('table', { name: 'Databases' });
    await userEvent.click(screen.getByRole('button', { name: 'Create database' }));
    const form = await screen.findByRole('form', { name: 'Create database' });
    await userEvent.type(within(form).getByLabelText(/^Database name/), 'wiki');
    await userEvent.click(within(form).getByRole('button', { name: 'Create database' }));

    const password = await screen.findByLabelText('Password of shop_wiki');
    expect(password.textContent).toBe('Zq4xV8nR2mT6pL0sK3wY9bHd');
    expect(screen.getByRole('button', { name: 'Copy password' })).toBeTruthy();
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ engine: 'mariadb', name: 'wiki', user: 'wiki' });

    await userEvent.click(screen.getByRole('button', { name: 'I have stored it' }));
    await waitFor(() => expect(screen.queryByText('Zq4xV8nR2mT6pL0sK3wY9bHd')).toBeNull());
    expect(screen.queryByLabelText('Password of shop_wiki')).toBeNull();
  });

  it('asks before deleting a database, naming it, and deletes it only once its name is typed', async () => {
    const requests = ownerApi({ 'DELETE /databases/db00000001': { status: 200, body: { ok: true } } });
    renderOwner();
    const databases = await screen.findByRole('table', { name: 'Databases' });
    await userEvent.click(within(databases).getByRole('button', { name: 'Delete shop_blog' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete shop_blog and everything in it?' });
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);
    const confirm = within(dialog).getByRole('button', { name: 'Delete database' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText('Type shop_blog to confirm'), 'shop_blog');
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(requests.some((r) => r.method === 'DELETE' && r.path === '/databases/db00000001')).toBe(true),
    );
  });

  it('asks before deleting a user', async () => {
    const requests = ownerApi({ 'DELETE /database-users/dbu0000002': { status: 200, body: { ok: true } } });
    renderOwner();
    const users = await screen.findByRole('table', { name: 'Database users' });
    await userEvent.click(within(users).getByRole('button', { name: 'Delete shop_reader' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete the user shop_reader?' });
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete user' }));
    await waitFor(() =>
      expect(requests.some((r) => r.method === 'DELETE' && r.path === '/database-users/dbu0000002')).toBe(true),
    );
  });

  it('opens phpMyAdmin with the one-time link the panel returns, in a new tab', async () => {
    const url = 'https://db.example.com/phpmyadmin/?berth_ticket=0123456789abcdef';
    const requests = ownerApi({
      'POST /database-users/dbu0000001/admin-login': {
        status: 200,
        body: { url, expiresAt: '2026-12-01T00:02:00.000Z' },
      },
    });
    const open = vi.spyOn(window, 'open').mockReturnValue(null);
    renderOwner();
    const users = await screen.findByRole('table', { name: 'Database users' });
    await userEvent.click(within(users).getByRole('button', { name: 'Open phpMyAdmin as shop_blog' }));
    await waitFor(() => expect(open).toHaveBeenCalledWith(url, '_blank', 'noopener'));
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({});
  });

  it('says plainly when phpMyAdmin and Adminer are not set up', async () => {
    ownerApi({
      'POST /database-users/dbu0000002/admin-login': apiError(
        409,
        'DB_ADMIN_NOT_CONFIGURED',
        'phpMyAdmin and Adminer are not set up on this panel: the operator sets BERTH_DB_ADMIN_HOST to turn them on.',
      ),
    });
    const open = vi.spyOn(window, 'open').mockReturnValue(null);
    renderOwner();
    const users = await screen.findByRole('table', { name: 'Database users' });
    await userEvent.click(within(users).getByRole('button', { name: 'Open Adminer as shop_reader' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'phpMyAdmin and Adminer are not set up on this panel. Ask your hosting provider to turn them on.',
    );
    expect(open).not.toHaveBeenCalled();
  });

  it('rotates a password and shows the new one once', async () => {
    const requests = ownerApi({
      'POST /database-users/dbu0000001/password': {
        status: 200,
        body: { ...BLOG_USER, password: 'Nw7Pq2Lx9Rt4Vb8Kc1Md5Hs3' },
      },
    });
    renderOwner();
    const users = await screen.findByRole('table', { name: 'Database users' });
    await userEvent.click(within(users).getByRole('button', { name: 'New password for shop_blog' }));
    const form = await screen.findByRole('form', { name: 'New password for shop_blog' });
    await userEvent.click(within(form).getByRole('button', { name: 'Set new password' }));
    expect((await screen.findByLabelText('Password of shop_blog')).textContent).toBe('Nw7Pq2Lx9Rt4Vb8Kc1Md5Hs3');
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({});
  });

  it('edits a user’s databases among its tenant’s databases of the same engine', async () => {
    const requests = ownerApi({
      'PUT /database-users/dbu0000002/databases': {
        status: 200,
        body: { ...STATS_USER, databases: [{ id: STATS.id, name: STATS.name }] },
      },
    });
    renderOwner();
    const users = await screen.findByRole('table', { name: 'Database users' });
    await userEvent.click(within(users).getByRole('button', { name: 'Edit databases of shop_reader' }));
    const form = await screen.findByRole('form', { name: 'Databases of shop_reader' });
    await userEvent.click(within(form).getByRole('combobox', { name: 'Databases shop_reader may use' }));
    // Only the PostgreSQL database is offered to a PostgreSQL user.
    expect(screen.queryByRole('option', { name: 'shop_blog' })).toBeNull();
    await userEvent.click(await screen.findByRole('option', { name: 'shop_stats' }));
    await userEvent.click(within(form).getByRole('button', { name: 'Save databases' }));
    await waitFor(() => expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({ databaseIds: [STATS.id] }));
  });

  it('shows operators whose each row is and lets them narrow the list to one tenant', async () => {
    const requests = stubApi({
      'GET /databases': page([BLOG]),
      'GET /database-users': page([BLOG_USER]),
      'GET /tenants?limit=500': page([TENANT]),
    });
    renderWithProviders(<DatabasesPanel operator />);
    const databases = await screen.findByRole('table', { name: 'Databases' });
    expect(within(databases).getByRole('columnheader', { name: 'Tenant' })).toBeTruthy();
    await waitFor(() => expect(within(databases).getByText('shop')).toBeTruthy());
    await userEvent.click(screen.getByRole('combobox', { name: 'Tenant' }));
    await userEvent.click(await screen.findByRole('option', { name: 'shop' }));
    await waitFor(() => expect(requests.some((r) => r.path === '/databases?limit=500&tenantId=ten0000001')).toBe(true));
  });
});

// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { CreateDatabaseForm } from './CreateDatabaseForm';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const TENANT = { id: 'ten0000001', slug: 'my-shop', name: 'My Shop', planId: 'plan000001' };
const CREATED = {
  id: 'db00000001',
  tenantId: TENANT.id,
  engine: 'mariadb',
  name: 'my_shop_blog',
  sizeBytes: null,
  sizeCheckedAt: null,
  users: [],
  connection: { host: 'localhost', socket: '/run/mysqld/mysqld.sock', port: null },
  createdAt: '2026-12-01T00:00:00.000Z',
};

function renderOwnerForm(onCreated = vi.fn()) {
  renderWithProviders(
    <CreateDatabaseForm chooseTenant={false} tenantId={TENANT.id} onCreated={onCreated} onCancel={vi.fn()} />,
  );
}

describe('CreateDatabaseForm', () => {
  it('previews the full names with the tenant prefix and sends the short names', async () => {
    const onCreated = vi.fn();
    const requests = stubApi({
      'GET /tenants/ten0000001': { status: 200, body: TENANT },
      'POST /databases': { status: 201, body: CREATED },
    });
    renderOwnerForm(onCreated);
    const name = screen.getByLabelText(/^Database name/);
    await userEvent.type(name, 'blog');
    // The prefix is the slug with "_" for "-"; the user's name follows the database's until edited.
    await waitFor(() => expect(screen.getAllByText('my_shop_blog')).toHaveLength(2));
    expect((screen.getByLabelText(/^User name/) as HTMLInputElement).value).toBe('blog');
    await userEvent.clear(screen.getByLabelText(/^User name/));
    await userEvent.type(screen.getByLabelText(/^User name/), 'blogapp');
    expect(screen.getByText('my_shop_blogapp')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Create database' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledOnce());
    expect(requests.find((r) => r.method === 'POST')).toMatchObject({
      path: '/databases',
      body: { engine: 'mariadb', name: 'blog', user: 'blogapp' },
    });
  });

  it('sends no user when the box is unticked, and the engine picked', async () => {
    const requests = stubApi({
      'GET /tenants/ten0000001': { status: 200, body: TENANT },
      'POST /databases': { status: 201, body: { ...CREATED, engine: 'postgresql' } },
    });
    renderOwnerForm();
    await userEvent.click(screen.getByRole('combobox', { name: 'Engine' }));
    await userEvent.click(await screen.findByRole('option', { name: 'PostgreSQL' }));
    await userEvent.type(screen.getByLabelText(/^Database name/), 'shop');
    await userEvent.click(screen.getByRole('checkbox', { name: /Also create a user/ }));
    expect(screen.queryByLabelText(/^User name/)).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Create database' }));
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ engine: 'postgresql', name: 'shop' }),
    );
  });

  it('proposes another user name on PostgreSQL, where a user cannot have its database’s name', async () => {
    stubApi({ 'GET /tenants/ten0000001': { status: 200, body: TENANT } });
    renderOwnerForm();
    await userEvent.click(screen.getByRole('combobox', { name: 'Engine' }));
    await userEvent.click(await screen.findByRole('option', { name: 'PostgreSQL' }));
    await userEvent.type(screen.getByLabelText(/^Database name/), 'blog');
    expect((screen.getByLabelText(/^User name/) as HTMLInputElement).value).toBe('bloguser');
    expect(await screen.findByText('my_shop_bloguser')).toBeTruthy();
  });

  it('refuses a name with an underscore before asking the API', async () => {
    const requests = stubApi({ 'GET /tenants/ten0000001': { status: 200, body: TENANT } });
    renderOwnerForm();
    await userEvent.type(screen.getByLabelText(/^Database name/), 'my_blog');
    await userEvent.click(screen.getByRole('button', { name: 'Create database' }));
    expect(
      await screen.findAllByText('Use lowercase letters and digits only, e.g. "shop" or "blog2".'),
    ).not.toHaveLength(0);
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('puts DATABASE_NAME_TAKEN at the name field', async () => {
    stubApi({
      'GET /tenants/ten0000001': { status: 200, body: TENANT },
      'POST /databases': apiError(
        409,
        'DATABASE_NAME_TAKEN',
        'The MariaDB server already has a database or user named my_shop_blog; choose another name.',
        [{ path: ['name'], message: 'Already in use.' }],
      ),
    });
    renderOwnerForm();
    await userEvent.type(screen.getByLabelText(/^Database name/), 'blog');
    await userEvent.click(screen.getByRole('checkbox', { name: /Also create a user/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Create database' }));
    expect(await screen.findByText('Already in use.')).toBeTruthy();
    expect(screen.getByLabelText(/^Database name/).getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('marks only the user field when the user name is the taken one', async () => {
    stubApi({
      'GET /tenants/ten0000001': { status: 200, body: TENANT },
      'POST /databases': apiError(
        409,
        'DATABASE_NAME_TAKEN',
        'The MariaDB server already has a database or user named my_shop_blog; choose another name.',
        [{ path: ['user'], message: 'Already in use.' }],
      ),
    });
    renderOwnerForm();
    await userEvent.type(screen.getByLabelText(/^Database name/), 'blog');
    await userEvent.click(screen.getByRole('button', { name: 'Create database' }));
    expect(await screen.findByText('Already in use.')).toBeTruthy();
    expect(screen.getByLabelText(/^User name/).getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText(/^Database name/).getAttribute('aria-invalid')).not.toBe('true');
  });

  it('shows PLAN_LIMIT_REACHED above the form', async () => {
    stubApi({
      'GET /tenants/ten0000001': { status: 200, body: TENANT },
      'POST /databases': apiError(
        422,
        'PLAN_LIMIT_REACHED',
        'The plan allows 2 database(s); delete one or move to a larger plan.',
      ),
    });
    renderOwnerForm();
    await userEvent.type(screen.getByLabelText(/^Database name/), 'blog');
    await userEvent.click(screen.getByRole('button', { name: 'Create database' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The plan allows 2 database(s); delete one or move to a larger plan.',
    );
  });

  it('lets an operator pick the tenant, previews its prefix and names it in the request', async () => {
    const requests = stubApi({
      'GET /tenants?limit=500': { status: 200, body: { items: [TENANT], total: 1 } },
      'POST /databases': { status: 201, body: CREATED },
    });
    renderWithProviders(<CreateDatabaseForm chooseTenant onCreated={vi.fn()} onCancel={vi.fn()} />);
    await userEvent.type(screen.getByLabelText(/^Database name/), 'blog');
    expect(screen.getAllByText(/Pick the tenant to see the full name/)).not.toHaveLength(0);
    await userEvent.click(screen.getByRole('combobox', { name: 'Tenant' }));
    await userEvent.click(await screen.findByRole('option', { name: 'my-shop — My Shop' }));
    expect(screen.getAllByText('my_shop_blog')).toHaveLength(2);
    await userEvent.click(screen.getByRole('button', { name: 'Create database' }));
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
        tenantId: TENANT.id,
        engine: 'mariadb',
        name: 'blog',
        user: 'blog',
      }),
    );
  });
});

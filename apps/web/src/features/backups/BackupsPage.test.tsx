// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TBackup, TPlan, TRestore } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { BackupsPanel } from './BackupsPage';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const TENANT = { id: 'ten0000001', slug: 'shop', name: 'Shop', planId: 'plan000001', status: 'active' };
const PLAN: Partial<TPlan> = {
  id: 'plan000001',
  name: 'Small',
  backupSchedule: 'daily',
  backupKeepDaily: 7,
  backupKeepWeekly: 4,
};
const SITE = { id: 'site000001', name: 'www' };
const DATABASE = { id: 'db00000001', engine: 'mariadb' as const, name: 'shop_blog' };
const GOOD: TBackup = {
  id: 'bk00000001',
  tenantId: TENANT.id,
  tenantSlug: TENANT.slug,
  trigger: 'scheduled',
  status: 'succeeded',
  message: null,
  snapshotId: 'a1b2c3d4',
  contents: { sites: [SITE], databases: [DATABASE] },
  sizeBytes: 3_355_443,
  addedBytes: 1_048_576,
  createdAt: '2026-12-01T03:00:00.000Z',
  startedAt: '2026-12-01T03:00:05.000Z',
  finishedAt: '2026-12-01T03:02:00.000Z',
  forgottenAt: null,
};
const FAILED: TBackup = {
  ...GOOD,
  id: 'bk00000002',
  trigger: 'manual',
  status: 'failed',
  message: 'The backup store is full.',
  snapshotId: null,
  contents: { sites: [], databases: [] },
  sizeBytes: null,
  addedBytes: null,
  createdAt: '2026-12-02T10:00:00.000Z',
};
const RUNNING: TBackup = {
  ...FAILED,
  id: 'bk00000003',
  status: 'running',
  message: null,
  createdAt: '2026-12-03T10:00:00.000Z',
  finishedAt: null,
};
const RESTORE: TRestore = {
  id: 'rs00000001',
  tenantId: TENANT.id,
  backupId: GOOD.id,
  scope: 'database',
  target: { databaseId: DATABASE.id },
  status: 'failed',
  message: 'The dump could not be loaded.',
  createdAt: '2026-12-02T12:00:00.000Z',
  startedAt: null,
  finishedAt: null,
};
const BACKUPS = `/tenants/${TENANT.id}/backups`;
const BROWSE = `${BACKUPS}/${GOOD.id}/files`;

function ownerApi(extra: Parameters<typeof stubApi>[0] = {}) {
  return stubApi({
    [`GET ${BACKUPS}`]: { status: 200, body: { items: [RUNNING, FAILED, GOOD] } },
    [`GET /tenants/${TENANT.id}/restores`]: { status: 200, body: { items: [RESTORE] } },
    [`GET /tenants/${TENANT.id}`]: { status: 200, body: TENANT },
    'GET /plans/plan000001': { status: 200, body: PLAN },
    ...extra,
  });
}

function renderOwner() {
  renderWithProviders(<BackupsPanel operator={false} tenantId={TENANT.id} />);
}

async function openRestoreMenu(item: string) {
  const table = await screen.findByRole('table', { name: 'Backups' });
  const row = table.querySelector<HTMLElement>(`[data-backup-id="${GOOD.id}"]`)!;
  await userEvent.click(within(row).getByRole('button', { name: /^Restore…/ }));
  await userEvent.click(await screen.findByRole('menuitem', { name: item }));
}

describe('BackupsPanel', () => {
  it('lists backups with their trigger, status, why one failed, sizes and contents, and restores below', async () => {
    ownerApi();
    renderOwner();
    const table = await screen.findByRole('table', { name: 'Backups' });
    const good = table.querySelector<HTMLElement>(`[data-backup-id="${GOOD.id}"]`)!;
    expect(within(good).getByText('Scheduled')).toBeTruthy();
    expect(within(good).getByText('Succeeded')).toBeTruthy();
    expect(within(good).getByText('3.2 MB')).toBeTruthy();
    expect(within(good).getByText('1.0 MB')).toBeTruthy();
    expect(within(good).getByText('1 site, 1 database')).toBeTruthy();
    expect(within(good).getByText('Site www')).toBeTruthy();
    expect(within(good).getByText('Database shop_blog')).toBeTruthy();

    const failed = table.querySelector<HTMLElement>(`[data-backup-id="${FAILED.id}"]`)!;
    expect(within(failed).getByText('Manual')).toBeTruthy();
    expect(within(failed).getByText('Failed')).toBeTruthy();
    expect(within(failed).getByText('The backup store is full.')).toBeTruthy();
    // Only a backup that succeeded can be restored from.
    expect(within(failed).queryByRole('button', { name: /^Restore…/ })).toBeNull();
    const running = table.querySelector<HTMLElement>(`[data-backup-id="${RUNNING.id}"]`)!;
    expect(within(running).getByText('Running')).toBeTruthy();

    const restores = screen.getByRole('table', { name: 'Restores' });
    expect(within(restores).getByText('Database shop_blog')).toBeTruthy();
    expect(within(restores).getByText('The dump could not be loaded.')).toBeTruthy();
    expect(await screen.findByText(/Backups run daily at 03:00 UTC on your plan/)).toBeTruthy();
  });

  it('says what to do when there is no backup yet', async () => {
    ownerApi({ [`GET ${BACKUPS}`]: { status: 200, body: { items: [] } } });
    renderOwner();
    expect(
      await screen.findByText('No backups yet. Backups run daily on your plan; Back up now makes one at once.'),
    ).toBeTruthy();
  });

  it('restores one site after saying whose files are replaced by which backup', async () => {
    const requests = ownerApi({
      [`POST ${BACKUPS}/${GOOD.id}/restore`]: { status: 202, body: { ...RESTORE, scope: 'site', status: 'queued' } },
    });
    renderOwner();
    await openRestoreMenu('One site…');
    const dialog = await screen.findByRole('dialog', { name: /^Restore one site from/ });
    const confirm = within(dialog).getByRole('button', { name: 'Restore site' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await userEvent.click(within(dialog).getByRole('combobox', { name: 'Site' }));
    await userEvent.click(await screen.findByRole('option', { name: 'www' }));
    expect(within(dialog).getByTestId('restore-consequence').textContent).toMatch(
      /^The files of site www will be replaced by those of .+; changes made since then are lost\. Visitors see the old files until the restore completes\.$/,
    );
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')).toMatchObject({
        path: `${BACKUPS}/${GOOD.id}/restore`,
        body: { scope: 'site', siteId: SITE.id },
      }),
    );
  });

  it('restores one database, saying it is emptied and loaded from the backup', async () => {
    const requests = ownerApi({
      [`POST ${BACKUPS}/${GOOD.id}/restore`]: { status: 202, body: { ...RESTORE, status: 'queued' } },
    });
    renderOwner();
    await openRestoreMenu('One database…');
    const dialog = await screen.findByRole('dialog', { name: /^Restore one database from/ });
    const confirm = within(dialog).getByRole('button', { name: 'Restore database' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await userEvent.click(within(dialog).getByRole('combobox', { name: 'Database' }));
    await userEvent.click(await screen.findByRole('option', { name: 'shop_blog' }));
    expect(within(dialog).getByTestId('restore-consequence').textContent).toMatch(
      /^The database shop_blog will be emptied and loaded with its contents of /,
    );
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ scope: 'database', databaseId: DATABASE.id }),
    );
  });

  it('restores the whole account only once its name is typed', async () => {
    const requests = ownerApi({
      [`POST ${BACKUPS}/${GOOD.id}/restore`]: { status: 202, body: { ...RESTORE, scope: 'tenant', status: 'queued' } },
    });
    renderOwner();
    await openRestoreMenu('Whole account…');
    const dialog = await screen.findByRole('dialog', { name: /^Restore the whole account from/ });
    expect(within(dialog).getByTestId('restore-consequence').textContent).toContain(
      'The files of every site and every database in this backup (1 site, 1 database) will be replaced',
    );
    const confirm = within(dialog).getByRole('button', { name: 'Restore whole account' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText('Type shop to confirm'), 'shop');
    await userEvent.click(confirm);
    await waitFor(() => expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ scope: 'tenant' }));
  });

  it('shows why a backup cannot start now, in words', async () => {
    ownerApi({
      [`POST ${BACKUPS}`]: apiError(
        409,
        'BACKUP_BUSY',
        'A backup of this account is already queued or running. Wait for it to finish, then try again.',
      ),
    });
    renderOwner();
    await screen.findByRole('table', { name: 'Backups' });
    await userEvent.click(screen.getByRole('button', { name: 'Back up now' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'A backup of this account is already queued or running. Wait for it to finish, then try again.',
    );
    expect(alert.textContent).not.toContain('BACKUP_BUSY');
  });

  it('browses a backup’s folders by site name, links downloads, and puts a file back', async () => {
    const requests = ownerApi({
      [`GET ${BROWSE}`]: {
        status: 200,
        body: {
          path: '',
          entries: [
            { path: 'sites', name: 'sites', type: 'dir', size: null, mtime: null },
            { path: 'databases', name: 'databases', type: 'dir', size: null, mtime: null },
          ],
        },
      },
      [`GET ${BROWSE}?path=sites`]: {
        status: 200,
        body: {
          path: 'sites',
          entries: [{ path: `sites/${SITE.id}`, name: SITE.id, type: 'dir', size: null, mtime: null }],
        },
      },
      [`GET ${BROWSE}?path=sites%2F${SITE.id}`]: {
        status: 200,
        body: {
          path: `sites/${SITE.id}`,
          entries: [
            { path: `sites/${SITE.id}/public`, name: 'public', type: 'dir', size: null, mtime: null },
            {
              path: `sites/${SITE.id}/index.php`,
              name: 'index.php',
              type: 'file',
              size: 2048,
              mtime: '2026-11-30T10:00:00.000Z',
            },
          ],
        },
      },
      [`POST ${BACKUPS}/${GOOD.id}/restore`]: { status: 202, body: { ...RESTORE, scope: 'path', status: 'queued' } },
    });
    renderOwner();
    await openRestoreMenu('Browse files…');
    const dialog = await screen.findByRole('dialog', { name: /^Files of the backup of/ });
    await userEvent.click(await within(dialog).findByRole('button', { name: 'Open folder sites' }));
    await userEvent.click(await within(dialog).findByRole('button', { name: `Open folder www (${SITE.id})` }));

    const files = await within(dialog).findByRole('table', { name: 'Files in the backup' });
    const index = files.querySelector<HTMLElement>(`[data-path="sites/${SITE.id}/index.php"]`)!;
    expect(within(index).getByText('2.0 KB')).toBeTruthy();
    const download = within(index).getByRole('link', { name: 'Download index.php' });
    expect(download.getAttribute('href')).toBe(
      `/api/v1${BACKUPS}/${GOOD.id}/download?path=sites%2F${SITE.id}%2Findex.php`,
    );
    const folder = files.querySelector<HTMLElement>(`[data-path="sites/${SITE.id}/public"]`)!;
    expect(within(folder).getByRole('link', { name: 'Download public as .tar' }).getAttribute('href')).toBe(
      `/api/v1${BACKUPS}/${GOOD.id}/download?path=sites%2F${SITE.id}%2Fpublic`,
    );
    // The breadcrumbs name the site, not its id.
    const crumbs = within(dialog).getByRole('navigation', { name: 'Folder' });
    expect(within(crumbs).getByRole('button', { name: 'www' })).toBeTruthy();

    await userEvent.click(within(index).getByRole('button', { name: 'Put back index.php' }));
    expect(within(dialog).getByTestId('restore-consequence').textContent).toMatch(
      /^The file index\.php of site www will be replaced by its copy of .+\. The rest of the site stays as it is\.$/,
    );
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Put back' }));
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
        scope: 'path',
        siteId: SITE.id,
        path: 'index.php',
      }),
    );

    // Once queued, the browser is back where it was; the breadcrumbs lead to the backup's root.
    const back = await within(dialog).findByRole('navigation', { name: 'Folder' });
    await userEvent.click(within(back).getByRole('button', { name: 'backup' }));
    expect(await within(dialog).findByText('database dumps')).toBeTruthy();
  });

  it('lets operators pick the tenant and back up every tenant', async () => {
    const requests = ownerApi({
      'GET /tenants?limit=500': { status: 200, body: { items: [TENANT], total: 1 } },
      'POST /backups': { status: 202, body: { queued: 3 } },
    });
    renderWithProviders(<BackupsPanel operator />);
    expect(await screen.findByText('Pick a tenant to see its backups and restore from them.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Back up now' }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Back up every tenant' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'POST' && r.path === '/backups')).toBe(true));
    await userEvent.click(screen.getByRole('combobox', { name: 'Tenant' }));
    await userEvent.click(await screen.findByRole('option', { name: 'shop — Shop' }));
    expect(await screen.findByRole('table', { name: 'Backups' })).toBeTruthy();
  });

  it('offers terminated tenants with kept backups to operators, to make them again', async () => {
    ownerApi({
      'GET /tenants?limit=500': { status: 200, body: { items: [TENANT], total: 1 } },
      'GET /backups/terminated': {
        status: 200,
        body: {
          items: [
            { tenantId: 'gonetenant000001', tenantSlug: 'gone', lastBackupAt: '2026-11-30T03:00:00.000Z', backups: 2 },
          ],
        },
      },
      'GET /tenants/gonetenant000001/backups': { status: 200, body: { items: [] } },
      'GET /tenants/gonetenant000001/restores': { status: 200, body: { items: [] } },
    });
    renderWithProviders(<BackupsPanel operator />);
    await userEvent.click(await screen.findByRole('combobox', { name: 'Tenant' }));
    await userEvent.click(await screen.findByRole('option', { name: 'gone (terminated)' }));
    expect(await screen.findByText(/gone was terminated\. Restoring the whole account/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Back up now' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

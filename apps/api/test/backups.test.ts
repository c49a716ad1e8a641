import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupPortError, type BackupPort, type SnapshotEntry } from '../src/ports.js';
import {
  ADMIN,
  call,
  login,
  makeTenant,
  startPanel,
  type Caller,
  type TenantFixture,
  type TestPanel,
} from './helpers.js';

/** FakeBackupPort stands in for the control plane's backup worker: it records wakes and serves a fixed snapshot. */
class FakeBackupPort implements BackupPort {
  wakes = 0;
  wake(): void {
    this.wakes++;
  }
  async browse(_snapshotId: string, path: string): Promise<SnapshotEntry[]> {
    if (path === 'missing') throw new BackupPortError('not-found', 'no such path');
    return [{ path: `${path}/index.php`, name: 'index.php', type: 'file', size: 12, mtime: null }];
  }
  async download(_snapshotId: string, path: string) {
    return { stream: Readable.from([Buffer.from(`bytes of ${path}`)]), folder: path.endsWith('public') };
  }
}

// The backups API over a fake worker (restic itself is crossed in backups.int.test.ts): what can be asked for
// and when, the answers that say what to do, and nothing queued twice.
describe('backups API', () => {
  let panel: TestPanel;
  let admin: Caller;
  let a: TenantFixture;
  let b: TenantFixture;
  const port = new FakeBackupPort();

  /** succeeded makes a finished backup row of tenant A holding its site (what the worker would write). */
  const succeeded = async (extra: Record<string, unknown> = {}) => {
    const id = `bk${Math.random().toString(36).slice(2, 12)}`;
    await panel.db.backup.create({
      data: {
        id,
        tenantId: a.id,
        tenantSlug: a.slug,
        trigger: 'manual',
        status: 'succeeded',
        snapshotId: 'a'.repeat(64),
        contents: JSON.stringify({ sites: [{ id: a.siteId, name: 'www' }], databases: [] }),
        actor: 'system',
        ...extra,
      },
    });
    return id;
  };

  beforeAll(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    a = await makeTenant(panel.app, admin, 'backa');
    b = await makeTenant(panel.app, admin, 'backb');
    panel.ports.backups.bind(port);
  });
  afterAll(async () => panel.close());

  it('queues a backup with an event, wakes the worker, and refuses a second one while it is queued', async () => {
    const res = await call(panel.app, a.owner, 'POST', `/api/v1/tenants/${a.id}/backups`);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ status: 'queued', trigger: 'manual', tenantSlug: 'backa' });
    expect(port.wakes).toBe(1);
    const again = await call(panel.app, a.owner, 'POST', `/api/v1/tenants/${a.id}/backups`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'BACKUP_BUSY' } });
    expect(await panel.db.backup.count({ where: { tenantId: a.id } })).toBe(1);
    expect(await panel.db.event.count({ where: { action: 'backup.requested', tenantId: a.id } })).toBe(1);
    await panel.db.backup.deleteMany({});
  });

  it("keeps another tenant's backups out of sight", async () => {
    const id = await succeeded();
    for (const url of [
      `/api/v1/tenants/${a.id}/backups`,
      `/api/v1/tenants/${a.id}/backups/${id}/files`,
      `/api/v1/tenants/${a.id}/restores`,
    ])
      expect((await call(panel.app, b.owner, 'GET', url)).statusCode, url).toBe(404);
    expect(
      (await call(panel.app, b.owner, 'POST', `/api/v1/tenants/${a.id}/backups/${id}/restore`, { scope: 'tenant' }))
        .statusCode,
    ).toBe(404);
  });

  it('refuses to restore what a backup cannot give back, saying what to choose instead', async () => {
    const failed = await succeeded({ status: 'failed', snapshotId: null });
    const forgotten = await succeeded({ forgottenAt: new Date() });
    const ok = await succeeded();
    const restore = (id: string, body: unknown) =>
      call(panel.app, a.owner, 'POST', `/api/v1/tenants/${a.id}/backups/${id}/restore`, body);
    for (const [id, body, words] of [
      [failed, { scope: 'site', siteId: a.siteId }, /did not complete/],
      [forgotten, { scope: 'site', siteId: a.siteId }, /Retention removed/],
      [ok, { scope: 'site', siteId: 'z'.repeat(26) }, /does not hold that site/],
      [ok, { scope: 'database', databaseId: 'z'.repeat(26) }, /does not hold that database/],
    ] as const) {
      const res = await restore(id, body);
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ error: { code: 'BACKUP_NOT_RESTORABLE' } });
      expect(res.body).toMatch(words);
    }
    const bad = await restore(ok, { scope: 'path', siteId: a.siteId, path: '../etc/passwd' });
    expect(bad.statusCode).toBe(400);
    expect(await panel.db.restore.count()).toBe(0);
    const queued = await restore(ok, { scope: 'path', siteId: a.siteId, path: 'public/index.php' });
    expect(queued.statusCode, queued.body).toBe(202);
    expect(queued.json()).toMatchObject({ scope: 'path', target: { siteId: a.siteId, path: 'public/index.php' } });
    expect((await restore(ok, { scope: 'site', siteId: a.siteId })).json()).toMatchObject({
      error: { code: 'BACKUP_BUSY' },
    });
  });

  it('browses and downloads through the worker; a folder comes as a .tar and a missing path is 404', async () => {
    const id = await succeeded();
    const listing = await call(panel.app, a.owner, 'GET', `/api/v1/tenants/${a.id}/backups/${id}/files?path=sites`);
    expect(listing.json()).toMatchObject({ path: 'sites', entries: [{ name: 'index.php', type: 'file' }] });
    expect(
      (await call(panel.app, a.owner, 'GET', `/api/v1/tenants/${a.id}/backups/${id}/files?path=missing`)).statusCode,
    ).toBe(404);
    const folder = await call(
      panel.app,
      a.owner,
      'GET',
      `/api/v1/tenants/${a.id}/backups/${id}/download?path=sites/${a.siteId}/public`,
    );
    expect(folder.statusCode).toBe(200);
    expect(folder.headers['content-disposition']).toContain('filename="public.tar"');
    expect(folder.body).toBe(`bytes of sites/${a.siteId}/public`);
  });

  it("lists a terminated tenant's backups to administrators only", async () => {
    await panel.db.backup.create({
      data: {
        id: 'gonetenantbackup1',
        tenantId: 'gonetenant0000000001',
        tenantSlug: 'gone',
        trigger: 'scheduled',
        status: 'succeeded',
        snapshotId: 'b'.repeat(64),
        actor: 'system',
      },
    });
    const terminated = await call(panel.app, admin, 'GET', '/api/v1/backups/terminated');
    expect(terminated.json()).toMatchObject({
      items: [{ tenantId: 'gonetenant0000000001', tenantSlug: 'gone', backups: 1 }],
    });
    expect((await call(panel.app, admin, 'GET', '/api/v1/tenants/gonetenant0000000001/backups')).statusCode).toBe(200);
    expect((await call(panel.app, a.owner, 'GET', '/api/v1/backups/terminated')).statusCode).toBe(403);
    expect((await call(panel.app, a.owner, 'GET', '/api/v1/tenants/gonetenant0000000001/backups')).statusCode).toBe(
      404,
    );
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DatabasePortError } from '../src/ports.js';
import { FakeDatabasePort } from './fake-database-port.js';
import {
  ADMIN,
  call,
  countRows,
  login,
  makeTenant,
  startPanel,
  type Caller,
  type TenantFixture,
  type TestPanel,
} from './helpers.js';

// The databases API over a fake database port (the real servers are crossed in databases.int.test.ts): names,
// quotas, passwords shown once, grants within the tenant and engine, and nothing left behind when a server fails.

describe('databases API', () => {
  let panel: TestPanel;
  let admin: Caller;
  let a: TenantFixture;
  let b: TenantFixture;
  let port: FakeDatabasePort;

  beforeAll(async () => {
    panel = await startPanel({ dbAdminUrl: 'https://db.example.test' });
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    a = await makeTenant(panel.app, admin, 'shop-a');
    b = await makeTenant(panel.app, admin, 'shop');
  });
  afterAll(async () => panel.close());
  beforeEach(() => {
    port = new FakeDatabasePort();
    panel.ports.databases.bind(port);
  });

  it('creates a database named with the tenant prefix, with a user whose password is shown once', async () => {
    const res = await call(panel.app, a.owner, 'POST', '/api/v1/databases', {
      engine: 'mariadb',
      name: 'blog',
      user: 'blog',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { id: string; name: string; user: { id: string; name: string; password: string } };
    expect(body.name).toBe('shop_a_blog');
    expect(body.user.name).toBe('shop_a_blog');
    expect(body.user.password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(port.databases.has('mariadb:shop_a_blog')).toBe(true);
    expect(port.users.get('mariadb:shop_a_blog')).toMatchObject({
      password: body.user.password,
      grants: ['shop_a_blog'],
    });
    // Later reads never carry the password, and the row keeps it only encrypted.
    const read = await call(panel.app, a.owner, 'GET', `/api/v1/database-users/${body.user.id}`);
    expect(read.body).not.toContain(body.user.password);
    const row = await panel.db.databaseUser.findUniqueOrThrow({ where: { id: body.user.id } });
    expect(row.passwordEnc).not.toContain(body.user.password);
    const events = await panel.db.event.findMany({ where: { action: 'database.create', targetId: body.id } });
    expect(events).toHaveLength(1);
    expect(events[0]!.details).not.toContain(body.user.password);
  });

  it('keeps names unambiguous: no underscore in the chosen part, and a taken name is refused', async () => {
    const bad = await call(panel.app, b.owner, 'POST', '/api/v1/databases', { engine: 'mariadb', name: 'a_blog' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const again = await call(panel.app, a.owner, 'POST', '/api/v1/databases', { engine: 'mariadb', name: 'blog' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'DATABASE_NAME_TAKEN' } });
    // On PostgreSQL a user may not share a database's name (both are roles there).
    const pg = await call(panel.app, a.owner, 'POST', '/api/v1/databases', {
      engine: 'postgresql',
      name: 'app',
      user: 'app',
    });
    expect(pg.statusCode).toBe(409);
    expect(pg.json()).toMatchObject({ error: { code: 'DATABASE_NAME_TAKEN' } });
  });

  it('refuses more databases than the plan allows', async () => {
    const plan = await panel.db.plan.create({
      data: {
        id: 'tinyplan000001',
        name: 'Tiny',
        maxSites: 1,
        maxDomains: 1,
        cpuMillicores: 500,
        memoryMb: 256,
        diskMb: 1000,
        bandwidthGb: 1,
        pidsLimit: 64,
        phpVersions: '["8.2"]',
        phpMaxMemoryMb: 128,
        phpMaxUploadMb: 16,
        phpMaxExecSeconds: 30,
        maxDatabases: 1,
      },
    });
    await panel.db.tenant.update({ where: { id: b.id }, data: { planId: plan.id } });
    const first = await call(panel.app, b.owner, 'POST', '/api/v1/databases', { engine: 'postgresql', name: 'one' });
    expect(first.statusCode).toBe(201);
    const second = await call(panel.app, b.owner, 'POST', '/api/v1/databases', { engine: 'mariadb', name: 'two' });
    expect(second.statusCode).toBe(422);
    expect(second.json()).toMatchObject({ error: { code: 'PLAN_LIMIT_REACHED' } });
    expect(second.json().error.message).toMatch(/allows 1 database/);
  });

  it('leaves nothing behind when the server cannot make the database', async () => {
    const before = await countRows(panel.db);
    port.failNext = new DatabasePortError('unavailable', 'server down');
    const res = await call(panel.app, a.owner, 'POST', '/api/v1/databases', {
      engine: 'mariadb',
      name: 'down',
      user: 'down',
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } });
    expect(res.json().error.message).not.toMatch(/server down/);
    expect(await countRows(panel.db)).toEqual(before);
  });

  it("grants only the tenant's own databases of the same engine", async () => {
    const own = (await call(panel.app, a.owner, 'GET', '/api/v1/databases')).json() as {
      items: { id: string; engine: string }[];
    };
    const mariadb = own.items.find((d) => d.engine === 'mariadb')!;
    const other = (await call(panel.app, b.owner, 'GET', '/api/v1/databases')).json() as { items: { id: string }[] };
    const user = await call(panel.app, a.owner, 'POST', '/api/v1/database-users', {
      engine: 'mariadb',
      name: 'reader',
      databaseIds: [mariadb.id],
    });
    expect(user.statusCode).toBe(201);
    const id = (user.json() as { id: string }).id;
    const foreign = await call(panel.app, a.owner, 'PUT', `/api/v1/database-users/${id}/databases`, {
      databaseIds: [other.items[0]!.id],
    });
    expect(foreign.statusCode).toBe(400);
    const none = await call(panel.app, a.owner, 'PUT', `/api/v1/database-users/${id}/databases`, { databaseIds: [] });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toMatchObject({ databases: [] });
    expect(port.users.get('mariadb:shop_a_reader')?.grants).toEqual([]);
  });

  it('rotates a password, shown once, and gives a one-time admin link on the admin host', async () => {
    const users = (await call(panel.app, a.owner, 'GET', '/api/v1/database-users')).json() as {
      items: { id: string }[];
    };
    const id = users.items[0]!.id;
    const before = (await panel.db.databaseUser.findUniqueOrThrow({ where: { id } })).passwordEnc;
    const rotated = await call(panel.app, a.owner, 'POST', `/api/v1/database-users/${id}/password`, {});
    expect(rotated.statusCode).toBe(200);
    expect((rotated.json() as { password: string }).password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect((await panel.db.databaseUser.findUniqueOrThrow({ where: { id } })).passwordEnc).not.toBe(before);
    const link = await call(panel.app, a.owner, 'POST', `/api/v1/database-users/${id}/admin-login`, {});
    expect(link.statusCode).toBe(200);
    expect((link.json() as { url: string }).url).toMatch(/^https:\/\/db\.example\.test\/sso\/t+$/);
    const foreign = await call(panel.app, b.owner, 'POST', `/api/v1/database-users/${id}/admin-login`, {});
    expect(foreign.statusCode).toBe(404);
  });

  it('counts database sizes in the account usage and its disk limit', async () => {
    await panel.db.database.updateMany({
      where: { tenantId: a.id },
      data: { sizeBytes: 5n * 1024n * 1024n, sizeCheckedAt: new Date() },
    });
    const usage = await call(panel.app, admin, 'GET', `/api/v1/accounts/${a.id}/usage`);
    expect(usage.statusCode).toBe(200);
    const disk = (usage.json() as { disk: { usedBytes: number; databasesBytes: number; filesBytes: number } }).disk;
    expect(disk.databasesBytes).toBe(5 * 1024 * 1024);
    expect(disk.usedBytes).toBe(disk.filesBytes + disk.databasesBytes);
    const list = (await call(panel.app, a.owner, 'GET', '/api/v1/databases')).json() as {
      items: { sizeBytes: number }[];
    };
    expect(list.items[0]!.sizeBytes).toBe(5 * 1024 * 1024);
    // Over the plan's disk: no new database.
    await panel.db.database.updateMany({ where: { tenantId: a.id }, data: { sizeBytes: 10n * 1024n * 1024n * 1024n } });
    const full = await call(panel.app, a.owner, 'POST', '/api/v1/databases', { engine: 'mariadb', name: 'more' });
    expect(full.statusCode).toBe(422);
    expect(full.json().error.message).toMatch(/disk is full/);
  });

  it('deletes a database on the server and drops its grants', async () => {
    const created = await call(panel.app, a.owner, 'POST', '/api/v1/databases', {
      engine: 'postgresql',
      name: 'gone',
      user: 'goneuser',
    });
    // The disk is full from the previous test: free it first.
    expect(created.statusCode).toBe(422);
    await panel.db.database.updateMany({ where: { tenantId: a.id }, data: { sizeBytes: 0n } });
    const made = (
      await call(panel.app, a.owner, 'POST', '/api/v1/databases', {
        engine: 'postgresql',
        name: 'gone',
        user: 'goneuser',
      })
    ).json() as { id: string; user: { id: string } };
    const del = await call(panel.app, a.owner, 'DELETE', `/api/v1/databases/${made.id}`);
    expect(del.statusCode).toBe(200);
    expect(port.databases.has('postgresql:shop_a_gone')).toBe(false);
    const user = (await call(panel.app, a.owner, 'GET', `/api/v1/database-users/${made.user.id}`)).json();
    expect(user).toMatchObject({ databases: [] });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsPortError } from '../src/ports.js';
import { FakeAppsPort, FakeDatabasePort } from './fake-database-port.js';
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

// WordPress in one click over fake ports (the real installer and servers: wordpress.e2e.test.ts): the database it
// makes, the answers while and after it runs, and what a failure leaves (nothing).

describe('WordPress in one click (API)', () => {
  let panel: TestPanel;
  let admin: Caller;
  let a: TenantFixture;
  const apps = new FakeAppsPort();
  const databases = new FakeDatabasePort();
  const body = { title: 'My blog', adminUser: 'editor', adminEmail: 'editor@example.test' };

  beforeAll(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    a = await makeTenant(panel.app, admin, 'blogger');
    panel.ports.apps.bind(apps);
    panel.ports.databases.bind(databases);
  });
  afterAll(async () => panel.close());

  it('waits for the site to be live', async () => {
    const res = await call(panel.app, a.owner, 'POST', `/api/v1/sites/${a.siteId}/apps/wordpress`, body);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      error: { code: 'APP_NOT_INSTALLABLE', message: expect.stringMatching(/not live yet/) },
    });
  });

  it('leaves no database behind when the site has files of its own', async () => {
    await panel.db.site.update({ where: { id: a.siteId }, data: { status: 'live' } });
    apps.failNext = new AppsPortError('not-empty', 'index.html present');
    const res = await call(panel.app, a.owner, 'POST', `/api/v1/sites/${a.siteId}/apps/wordpress`, body);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'SITE_NOT_EMPTY' } });
    expect(await panel.db.database.count()).toBe(0);
    expect(databases.databases.size).toBe(0);
    const status = await call(panel.app, a.owner, 'GET', `/api/v1/sites/${a.siteId}/apps/wordpress`);
    expect(status.json()).toMatchObject({ status: 'failed', message: expect.stringMatching(/already has files/) });
  });

  it('installs with a database of its own and a generated password, shown once, and refuses a second run', async () => {
    const res = await call(panel.app, a.owner, 'POST', `/api/v1/sites/${a.siteId}/apps/wordpress`, body);
    expect(res.statusCode, res.body).toBe(201);
    const done = res.json() as { status: string; adminPassword: string; adminUrl: string; databaseId: string };
    expect(done).toMatchObject({
      status: 'installed',
      version: '6.1.1',
      adminUrl: 'https://blogger.example.test/wp-admin/',
    });
    expect(done.adminPassword).toMatch(/^[A-Za-z0-9]{24}$/);
    const install = apps.installs.at(-1)!;
    expect(install).toMatchObject({
      siteId: a.siteId,
      siteUrl: 'https://blogger.example.test',
      title: 'My blog',
      admin: { user: 'editor', email: 'editor@example.test', password: done.adminPassword },
    });
    expect(install.db.name).toMatch(/^blogger_wp[a-z0-9]{6}$/);
    expect(databases.users.get(`mariadb:${install.db.user}`)).toMatchObject({
      password: install.db.password,
      grants: [install.db.name],
    });
    const db = await call(panel.app, a.owner, 'GET', `/api/v1/databases/${done.databaseId}`);
    expect(db.json()).toMatchObject({ name: install.db.name });
    const again = await call(panel.app, a.owner, 'POST', `/api/v1/sites/${a.siteId}/apps/wordpress`, body);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      error: { code: 'APP_NOT_INSTALLABLE', message: expect.stringMatching(/already installed/) },
    });
    const status = await call(panel.app, a.owner, 'GET', `/api/v1/sites/${a.siteId}/apps/wordpress`);
    expect(status.body).not.toContain(done.adminPassword);
    const events = await panel.db.event.findMany({
      where: { targetId: a.siteId, action: { startsWith: 'app.' } },
      orderBy: { at: 'asc' },
    });
    expect(events.map((e) => `${e.action}:${e.result}`)).toEqual([
      'app.install:ok',
      'app.install:error',
      'app.install:ok',
      'app.installed:ok',
    ]);
    expect(events.map((e) => e.details ?? '').join()).not.toContain(done.adminPassword);
  });

  it('refuses the name "admin" and a site of another kind', async () => {
    const res = await call(panel.app, a.owner, 'POST', `/api/v1/sites/${a.siteId}/apps/wordpress`, {
      ...body,
      adminUser: 'admin',
    });
    expect(res.statusCode).toBe(400);
    const node = await call(panel.app, a.owner, 'POST', '/api/v1/sites', { name: 'app', runtime: { kind: 'node' } });
    const id = (node.json() as { id: string }).id;
    await panel.db.site.update({ where: { id }, data: { status: 'live' } });
    const refused = await call(panel.app, a.owner, 'POST', `/api/v1/sites/${id}/apps/wordpress`, body);
    expect(refused.json()).toMatchObject({
      error: { code: 'APP_NOT_INSTALLABLE', message: expect.stringMatching(/PHP site/) },
    });
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations, createDb, type Db } from '@berth/db';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuildAppOptions } from '../src/app.js';
import { bootstrapPanel } from '../src/bootstrap.js';
import { MIGRATIONS } from '../src/paths.js';
import { ADMIN, bearer, call, login, makeTenant, type Caller, type TenantFixture } from './helpers.js';

interface Usage {
  accountId: string;
  username: string;
  plan: { id: string; name: string };
  sites: { used: number; limit: number };
  domains: { used: number; limit: number };
  databases: { used: number; limit: number };
  disk: { usedBytes: number; limitBytes: number; filesBytes: number; databasesBytes: number };
  bandwidth: { usedBytes: number; limitBytes: number };
}

/**
 * A tenant's home: its own users read the account against the plan (GET /tenants/{id}/usage, measured as
 * billing measures it), and every site answer carries the address visitors use, with the edge's HTTPS port.
 */
describe('tenant home: usage against the plan and visit links', () => {
  let app: FastifyInstance;
  let db: Db;
  let dir: string;
  let admin: Caller;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-home-test-'));
    db = await createDb({ url: `file:${path.join(dir, 'berth.db')}` });
    await applyMigrations({ db, dir: MIGRATIONS });
    await bootstrapPanel({ db, admin: ADMIN });
    // The panel's whole Config reaches createServices; the edge's ports are the part this test is about.
    const config: BuildAppOptions['config'] & { edgePorts: { http: number; https: number } } = {
      portRange: { first: 20000, last: 20999 },
      webDir: path.join(dir, 'no-web'),
      dataDir: dir,
      edgePorts: { http: 8080, https: 8443 },
    };
    ({ app } = await buildApp({ db, config }));
    await app.ready();
    admin = await login(app, ADMIN.email, ADMIN.password);
    a = await makeTenant(app, admin, 'alpha');
    b = await makeTenant(app, admin, 'bravo');
  });

  afterAll(async () => {
    await app.close();
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("gives each site the visitors' address: its primary domain over HTTPS with the edge's port", async () => {
    const site = (await call(app, a.owner, 'GET', `/api/v1/sites/${a.siteId}`)).json() as { url: string | null };
    expect(site.url).toBe(`https://${a.hostname}:8443`);
    const list = (await call(app, a.owner, 'GET', '/api/v1/sites')).json() as { items: { url: string | null }[] };
    expect(list.items.map((s) => s.url)).toEqual([`https://${a.hostname}:8443`]);

    // An alias added later does not change the address; a site without a domain has none.
    expect(
      (await call(app, a.owner, 'POST', `/api/v1/sites/${a.siteId}/domains`, { hostname: 'www.alpha.example.test' }))
        .statusCode,
    ).toBe(201);
    expect(((await call(app, a.owner, 'GET', `/api/v1/sites/${a.siteId}`)).json() as { url: string }).url).toBe(
      `https://${a.hostname}:8443`,
    );
    const bare = await call(app, a.owner, 'POST', '/api/v1/sites', {
      name: 'bare',
      runtime: { kind: 'php', version: '8.2' },
    });
    expect(bare.statusCode).toBe(201);
    expect((bare.json() as { url: string | null }).url).toBeNull();
  });

  it("answers a tenant's own users with sites, domains and databases against the plan, disk and bandwidth", async () => {
    const tenant = await db.tenant.findUniqueOrThrow({ where: { id: b.id }, include: { plan: true } });
    const siteDir = path.join(dir, 'tenants', b.id, 'sites', b.siteId, 'public');
    fs.mkdirSync(siteDir, { recursive: true });
    fs.writeFileSync(path.join(siteDir, 'photo.jpg'), Buffer.alloc(200_000, 1));
    const logDir = path.join(dir, 'caddy', 'logs', b.id);
    fs.mkdirSync(logDir, { recursive: true });
    const line = (size: number) =>
      JSON.stringify({ level: 'info', ts: Date.now() / 1000, msg: 'handled request', size, status: 200 });
    fs.writeFileSync(path.join(logDir, `${b.hostname}.log`), `${line(4_000)}\n${line(1_200)}\n`);

    for (const caller of [b.owner, bearer(b.readToken), admin]) {
      const res = await call(app, caller, 'GET', `/api/v1/tenants/${b.id}/usage`);
      expect(res.statusCode).toBe(200);
      const usage = res.json() as Usage;
      expect(usage).toMatchObject({
        accountId: b.id,
        username: 'bravo',
        plan: { id: tenant.planId, name: tenant.plan.name },
        sites: { used: 1, limit: tenant.plan.maxSites },
        domains: { used: 1, limit: tenant.plan.maxDomains },
        databases: { used: 0, limit: tenant.plan.maxDatabases },
        bandwidth: { usedBytes: 5_200, limitBytes: tenant.plan.bandwidthGb * 1024 ** 3 },
      });
      expect(usage.disk.limitBytes).toBe(tenant.plan.diskMb * 1024 * 1024);
      expect(usage.disk.filesBytes).toBeGreaterThanOrEqual(200_000);
      expect(usage.disk.usedBytes).toBe(usage.disk.filesBytes + usage.disk.databasesBytes);
    }
  });

  it("hides another tenant's usage (404) and keeps billing's own usage answer as it was", async () => {
    const foreign = await call(app, a.owner, 'GET', `/api/v1/tenants/${b.id}/usage`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('bravo');
    expect((await call(app, a.owner, 'GET', `/api/v1/accounts/${a.id}/usage`)).statusCode).toBe(403);

    const billing = await call(app, admin, 'GET', `/api/v1/accounts/${b.id}/usage`);
    expect(billing.statusCode).toBe(200);
    expect(Object.keys(billing.json() as object).sort()).toEqual([
      'accountId',
      'bandwidth',
      'disk',
      'measuredAt',
      'username',
    ]);
    expect((billing.json() as Usage).bandwidth.usedBytes).toBe(5_200);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { applyMigrations, createDb, type Db } from '@berth/db';
import { buildApp } from '../src/app.js';
import { bootstrapPanel } from '../src/bootstrap.js';
import { MIGRATIONS } from '../src/paths.js';
import type { DomainVerificationConfig } from '../src/domains/domain-verification.js';
import type { ControlPorts } from '../src/ports.js';
import type { Services } from '../src/services.js';

export const ADMIN = { email: 'admin@example.test', password: 'admin-password-123' };

export interface TestPanel {
  app: FastifyInstance;
  db: Db;
  services: Services;
  /** The control plane's ports, unbound: a test binds the one it needs. */
  ports: ControlPorts;
  dir: string;
  close(): Promise<void>;
}

/** startPanel builds the real app on a fresh SQLite file in a temp dir, migrated and bootstrapped like a first start. */
export async function startPanel(
  opts: {
    portRange?: { first: number; last: number };
    domainVerification?: DomainVerificationConfig;
    requireAdminTwoFactor?: boolean;
    dbAdminUrl?: string;
    /** Files require each tenant's sites/ to be a mount of its own (as in the panel), waiting this long for it. */
    tenantDisks?: { waitMs: number };
  } = {},
): Promise<TestPanel> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-api-test-'));
  const db = await createDb({ url: `file:${path.join(dir, 'berth.db')}` });
  await applyMigrations({ db, dir: MIGRATIONS });
  await bootstrapPanel({ db, admin: ADMIN });
  const config = {
    portRange: opts.portRange ?? { first: 20000, last: 20999 },
    webDir: path.join(dir, 'no-web'),
    dataDir: dir,
    ...(opts.domainVerification ? { domainVerification: opts.domainVerification } : {}),
    requireAdminTwoFactor: opts.requireAdminTwoFactor ?? false,
    ...(opts.dbAdminUrl ? { dbAdminUrl: opts.dbAdminUrl } : {}),
    ...(opts.tenantDisks ? { tenantDisks: true, filesDiskWaitMs: opts.tenantDisks.waitMs } : {}),
  };
  const { app, services, ports } = await buildApp({ config, db });
  await app.ready();
  return {
    app,
    db,
    services,
    ports,
    dir,
    async close() {
      await app.close();
      await db.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Caller is how a test speaks to the API: as a browser session (cookie + CSRF), a bearer token, or anonymously. */
export interface Caller {
  headers: Record<string, string>;
  csrf?: string;
}

export const anonymous: Caller = { headers: {} };

export async function login(app: FastifyInstance, email: string, password: string): Promise<Caller> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed for ${email}: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'berth_session');
  if (!cookie) throw new Error('no session cookie');
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  return { headers: { cookie: `berth_session=${cookie.value}` }, csrf };
}

export function bearer(secret: string): Caller {
  return { headers: { authorization: `Bearer ${secret}` } };
}

/** call sends one request as `caller`; mutations from a session carry its CSRF token unless `noCsrf`. */
export async function call(
  app: FastifyInstance,
  caller: Caller,
  method: InjectOptions['method'],
  url: string,
  payload?: unknown,
  opts: { noCsrf?: boolean } = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...caller.headers };
  if (caller.csrf && !opts.noCsrf && method !== 'GET') headers['x-csrf-token'] = caller.csrf;
  return app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
  });
}

export interface TenantFixture {
  id: string;
  slug: string;
  owner: Caller;
  ownerEmail: string;
  token: string;
  readToken: string;
  siteId: string;
  domainId: string;
  hostname: string;
}

/** makeTenant creates a tenant through the API with a site, a domain and two tokens of its owner (full, read). */
export async function makeTenant(app: FastifyInstance, admin: Caller, slug: string): Promise<TenantFixture> {
  const ownerEmail = `${slug}@example.test`;
  const password = `${slug}-password-123`;
  const t = await call(app, admin, 'POST', '/api/v1/tenants', {
    slug,
    name: `Tenant ${slug}`,
    owner: { email: ownerEmail, password },
  });
  if (t.statusCode !== 201) throw new Error(`tenant: ${t.body}`);
  const id = (t.json() as { id: string }).id;
  const owner = await login(app, ownerEmail, password);
  const site = await call(app, owner, 'POST', '/api/v1/sites', {
    name: 'www',
    runtime: { kind: 'php', version: '8.2' },
  });
  if (site.statusCode !== 201) throw new Error(`site: ${site.body}`);
  const siteId = (site.json() as { id: string }).id;
  const hostname = `${slug}.example.test`;
  const domain = await call(app, owner, 'POST', `/api/v1/sites/${siteId}/domains`, { hostname });
  if (domain.statusCode !== 201) throw new Error(`domain: ${domain.body}`);
  const full = await call(app, owner, 'POST', '/api/v1/tokens', { name: 'full', scope: 'full' });
  const read = await call(app, owner, 'POST', '/api/v1/tokens', { name: 'read', scope: 'read' });
  return {
    id,
    slug,
    owner,
    ownerEmail,
    token: (full.json() as { secret: string }).secret,
    readToken: (read.json() as { secret: string }).secret,
    siteId,
    domainId: (domain.json() as { id: string }).id,
    hostname,
  };
}

/** countRows counts every table but the audit trail, to prove a refused request wrote nothing. */
export async function countRows(db: Db): Promise<Record<string, number>> {
  return {
    plans: await db.plan.count(),
    tenants: await db.tenant.count(),
    users: await db.user.count(),
    sites: await db.site.count(),
    domains: await db.domain.count(),
    tokens: await db.apiToken.count(),
    ports: await db.portAllocation.count(),
    databases: await db.database.count(),
    databaseUsers: await db.databaseUser.count(),
    databaseGrants: await db.databaseGrant.count(),
  };
}

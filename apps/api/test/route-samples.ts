import type { FastifyInstance } from 'fastify';
import type { ControlPorts } from '../src/ports.js';
import { FakeAppsPort, FakeDatabasePort } from './fake-database-port.js';
import { anonymous, call, makeTenant, type Caller, type TenantFixture } from './helpers.js';

/**
 * ROUTES describes every API route for the generated tests: who owns what it addresses, and a valid body
 * for it, so that a refusal in the authorization matrix comes from authorization and a refusal in the
 * bad-input test comes from the one thing that test broke.
 */

export interface Target {
  a: TenantFixture;
  alphaPlanId: string;
  alphaTokenId: string;
  databaseId: string;
  databaseUserId: string;
  backupId: string;
  cronJobId: string;
  sftpKeyId: string;
}

export type Owner =
  /** The route addresses tenant A's resource: another tenant must get 404. */
  | 'tenant-a'
  /** Admin-only and not about any one tenant's id: a tenant user gets 403. */
  | 'admin'
  /** A list or catalog: allowed, but must not contain anything of tenant A. */
  | 'list'
  /** About the caller itself (its session, password, tokens). */
  | 'self';

export interface RouteSpec {
  owner: Owner;
  body?: (t: Target) => unknown;
}

export const ROUTES: Record<string, RouteSpec> = {
  'POST /api/v1/auth/logout': { owner: 'self' },
  'POST /api/v1/auth/impersonation/end': { owner: 'self' },
  'GET /api/v1/me': { owner: 'self' },
  'POST /api/v1/me/password': {
    owner: 'self',
    body: () => ({ currentPassword: 'wrong-password-xyz', newPassword: 'another-password-123' }),
  },
  'GET /api/v1/me/two-factor': { owner: 'self' },
  'POST /api/v1/me/two-factor/enrolment': { owner: 'self', body: () => ({ currentPassword: 'wrong-password-xyz' }) },
  'POST /api/v1/me/two-factor/enrolment/confirm': { owner: 'self', body: () => ({ code: '123456' }) },
  'POST /api/v1/me/two-factor/disable': {
    owner: 'self',
    body: () => ({ currentPassword: 'wrong-password-xyz', code: '123456' }),
  },
  'POST /api/v1/me/two-factor/recovery-codes': { owner: 'self', body: () => ({ code: '123456' }) },
  'GET /api/v1/plans': { owner: 'list' },
  'POST /api/v1/plans': {
    owner: 'admin',
    body: () => ({
      name: 'Matrix plan',
      maxSites: 1,
      maxDomains: 1,
      cpuMillicores: 500,
      memoryMb: 256,
      diskMb: 1000,
      bandwidthGb: 10,
      pidsLimit: 64,
      phpVersions: ['8.2'],
      phpMaxMemoryMb: 128,
      phpMaxUploadMb: 16,
      phpMaxExecSeconds: 30,
      egressAllow: ['10.0.5.0/24:3306'],
    }),
  },
  'GET /api/v1/plans/{id}': { owner: 'tenant-a' },
  'PATCH /api/v1/plans/{id}': { owner: 'tenant-a', body: () => ({ maxSites: 99 }) },
  'DELETE /api/v1/plans/{id}': { owner: 'tenant-a' },
  'GET /api/v1/tenants': { owner: 'list' },
  'POST /api/v1/tenants': {
    owner: 'admin',
    body: () => ({
      slug: 'matrix-new',
      name: 'Matrix',
      owner: { email: 'matrix-new@example.test', password: 'matrix-password-123' },
    }),
  },
  'GET /api/v1/tenants/{id}': { owner: 'tenant-a' },
  'PATCH /api/v1/tenants/{id}': { owner: 'tenant-a', body: () => ({ varnishEnabled: true }) },
  'DELETE /api/v1/tenants/{id}': { owner: 'tenant-a' },
  'POST /api/v1/tenants/{id}/suspend': { owner: 'tenant-a' },
  'POST /api/v1/tenants/{id}/unsuspend': { owner: 'tenant-a' },
  'GET /api/v1/tenants/{id}/usage': { owner: 'tenant-a' },
  'POST /api/v1/tenants/{id}/impersonate': { owner: 'tenant-a' },
  'GET /api/v1/sites': { owner: 'list' },
  'POST /api/v1/sites': {
    owner: 'tenant-a',
    body: (t) => ({ tenantId: t.a.id, name: 'intruder', runtime: { kind: 'php', version: '8.2' } }),
  },
  'GET /api/v1/sites/{id}': { owner: 'tenant-a' },
  'PATCH /api/v1/sites/{id}': { owner: 'tenant-a', body: () => ({ runtime: { kind: 'php', version: '8.4' } }) },
  'DELETE /api/v1/sites/{id}': { owner: 'tenant-a' },
  'POST /api/v1/sites/{id}/retry': { owner: 'tenant-a' },
  'POST /api/v1/sites/{id}/cache/purge': { owner: 'tenant-a', body: () => ({}) },
  'GET /api/v1/sites/{id}/domains': { owner: 'tenant-a' },
  'POST /api/v1/sites/{id}/domains': { owner: 'tenant-a', body: () => ({ hostname: 'intruder.example.test' }) },
  'GET /api/v1/domains/{id}': { owner: 'tenant-a' },
  'PATCH /api/v1/domains/{id}': { owner: 'tenant-a', body: () => ({ tls: 'off' }) },
  'DELETE /api/v1/domains/{id}': { owner: 'tenant-a' },
  'POST /api/v1/domains/{id}/verify': { owner: 'tenant-a', body: () => ({}) },
  'GET /api/v1/domains/{id}/certificate': { owner: 'tenant-a' },
  'PUT /api/v1/domains/{id}/certificate': {
    owner: 'tenant-a',
    body: () => ({
      certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      privateKeyPem: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
    }),
  },
  'DELETE /api/v1/domains/{id}/certificate': { owner: 'tenant-a' },
  'GET /api/v1/tokens': { owner: 'list' },
  'POST /api/v1/tokens': { owner: 'self', body: () => ({ name: 'mine', scope: 'read' }) },
  'DELETE /api/v1/tokens/{id}': { owner: 'tenant-a' },
  'GET /api/v1/events': { owner: 'list' },
  'GET /api/v1/runtimes': { owner: 'list' },
  'GET /api/v1/system/health': { owner: 'admin' },
  'GET /api/v1/sites/{id}/files': { owner: 'tenant-a' },
  'GET /api/v1/sites/{id}/files/{*}': { owner: 'tenant-a' },
  'PUT /api/v1/sites/{id}/files/{*}': { owner: 'tenant-a', body: () => 'intruder upload' },
  'DELETE /api/v1/sites/{id}/files/{*}': { owner: 'tenant-a' },
  'POST /api/v1/sites/{id}/directories/{*}': { owner: 'tenant-a' },
  'PATCH /api/v1/sites/{id}/files/{*}': { owner: 'tenant-a', body: () => ({ to: 'moved-by-matrix.txt' }) },
  'POST /api/v1/sites/{id}/extractions/{*}': { owner: 'tenant-a', body: () => ({ overwrite: false }) },
  'GET /api/v1/accounts': { owner: 'list' },
  'POST /api/v1/accounts': {
    owner: 'admin',
    body: () => ({
      username: 'matrix-acct',
      email: 'matrix-acct@example.test',
      password: 'matrix-password-123',
      site: { name: 'www', runtime: { kind: 'php', version: '8.2' }, domain: 'matrix-acct.example.test' },
    }),
  },
  'GET /api/v1/accounts/{id}': { owner: 'tenant-a' },
  'DELETE /api/v1/accounts/{id}': { owner: 'tenant-a' },
  'POST /api/v1/accounts/{id}/suspend': { owner: 'tenant-a' },
  'POST /api/v1/accounts/{id}/unsuspend': { owner: 'tenant-a' },
  'PUT /api/v1/accounts/{id}/plan': { owner: 'tenant-a', body: (t) => ({ planId: t.alphaPlanId }) },
  'PUT /api/v1/accounts/{id}/password': { owner: 'tenant-a', body: () => ({ password: 'intruder-password-123' }) },
  'GET /api/v1/accounts/{id}/usage': { owner: 'tenant-a' },
  'POST /api/v1/accounts/{id}/sso': { owner: 'tenant-a' },
  'GET /api/v1/databases': { owner: 'list' },
  'POST /api/v1/databases': {
    owner: 'tenant-a',
    body: (t) => ({ tenantId: t.a.id, engine: 'mariadb', name: 'intruder' }),
  },
  'GET /api/v1/databases/{id}': { owner: 'tenant-a' },
  'DELETE /api/v1/databases/{id}': { owner: 'tenant-a' },
  'GET /api/v1/database-users': { owner: 'list' },
  'POST /api/v1/database-users': {
    owner: 'tenant-a',
    body: (t) => ({ tenantId: t.a.id, engine: 'mariadb', name: 'intruder', databaseIds: [t.databaseId] }),
  },
  'GET /api/v1/database-users/{id}': { owner: 'tenant-a' },
  'DELETE /api/v1/database-users/{id}': { owner: 'tenant-a' },
  'POST /api/v1/database-users/{id}/password': { owner: 'tenant-a', body: () => ({}) },
  'PUT /api/v1/database-users/{id}/databases': { owner: 'tenant-a', body: (t) => ({ databaseIds: [t.databaseId] }) },
  'POST /api/v1/database-users/{id}/admin-login': { owner: 'tenant-a', body: () => ({}) },
  'POST /api/v1/sites/{id}/apps/wordpress': {
    owner: 'tenant-a',
    body: () => ({ title: 'Intruder', adminUser: 'intruder', adminEmail: 'intruder@example.test' }),
  },
  'GET /api/v1/sites/{id}/apps/wordpress': { owner: 'tenant-a' },
  'GET /api/v1/tenants/{id}/backups': { owner: 'tenant-a' },
  'POST /api/v1/tenants/{id}/backups': { owner: 'tenant-a' },
  'POST /api/v1/backups': { owner: 'admin' },
  'GET /api/v1/backups/terminated': { owner: 'admin' },
  'GET /api/v1/tenants/{id}/backups/{backupId}/files': { owner: 'tenant-a' },
  'GET /api/v1/tenants/{id}/backups/{backupId}/download': { owner: 'tenant-a' },
  'POST /api/v1/tenants/{id}/backups/{backupId}/restore': {
    owner: 'tenant-a',
    body: (t) => ({ scope: 'site', siteId: t.a.siteId }),
  },
  'GET /api/v1/tenants/{id}/restores': { owner: 'tenant-a' },
  'GET /api/v1/cron-jobs': { owner: 'list' },
  'POST /api/v1/cron-jobs': {
    owner: 'tenant-a',
    body: (t) => ({ siteId: t.a.siteId, name: 'Intruder', schedule: '@daily', command: 'true' }),
  },
  'GET /api/v1/cron-jobs/{id}': { owner: 'tenant-a' },
  'PATCH /api/v1/cron-jobs/{id}': { owner: 'tenant-a', body: () => ({ enabled: false }) },
  'DELETE /api/v1/cron-jobs/{id}': { owner: 'tenant-a' },
  'POST /api/v1/cron-jobs/{id}/run': { owner: 'tenant-a' },
  'GET /api/v1/cron-jobs/{id}/runs': { owner: 'tenant-a' },
  'GET /api/v1/sftp': { owner: 'list' },
  'PUT /api/v1/sftp': { owner: 'tenant-a', body: (t) => ({ tenantId: t.a.id, enabled: false }) },
  'POST /api/v1/sftp/password': { owner: 'tenant-a', body: (t) => ({ tenantId: t.a.id }) },
  'POST /api/v1/sftp/keys': {
    owner: 'tenant-a',
    body: (t) => ({ tenantId: t.a.id, name: 'Intruder key', publicKey: SAMPLE_SSH_KEY }),
  },
  'DELETE /api/v1/sftp/keys/{id}': { owner: 'tenant-a' },
  'GET /api/v1/webhooks': { owner: 'list' },
  'POST /api/v1/webhooks': {
    owner: 'admin',
    body: () => ({ url: 'https://hooks.example.test/berth', events: ['account.created'] }),
  },
  'GET /api/v1/webhooks/{id}': { owner: 'admin' },
  'PATCH /api/v1/webhooks/{id}': { owner: 'admin', body: () => ({ enabled: false }) },
  'DELETE /api/v1/webhooks/{id}': { owner: 'admin' },
  'POST /api/v1/webhooks/{id}/rotate-secret': { owner: 'admin' },
  'GET /api/v1/webhooks/{id}/deliveries': { owner: 'admin' },
};

/** SAMPLE_SSH_KEY is a well-formed ed25519 public key (made for these tests; nobody holds its private key). */
export const SAMPLE_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJnhEH6qKgLZzDmftquM3IrHN5ucUO3jkjdnADnc2E+2 sample@berth';

export const PUBLIC = new Set(['POST /api/v1/auth/login', 'POST /api/v1/auth/login/totp']);

/** LOGIN_BODY is the valid body of the sign-in route. */
export const LOGIN_BODY = { email: 'nobody@example.test', password: 'some-password-123' };

/** PUBLIC_BODIES are valid bodies of the public write routes (the second step's challenge is unknown: refused after validation). */
export const PUBLIC_BODIES: Record<string, unknown> = {
  'POST /api/v1/auth/login': LOGIN_BODY,
  'POST /api/v1/auth/login/totp': { challenge: 'c'.repeat(43), code: '123456' },
};

export function fillPath(route: string, t: Target): string {
  const [, path] = route.split(' ') as [string, string];
  if (!path.includes('{id}')) return path;
  if (path.includes('{backupId}')) return path.replace('{id}', t.a.id).replace('{backupId}', t.backupId);
  if (path.startsWith('/api/v1/cron-jobs/')) return path.replace('{id}', t.cronJobId);
  if (path.startsWith('/api/v1/sftp/keys/')) return path.replace('{id}', t.sftpKeyId);
  if (path.startsWith('/api/v1/plans/')) return path.replace('{id}', t.alphaPlanId);
  if (path.startsWith('/api/v1/tenants/')) return path.replace('{id}', t.a.id);
  if (path.startsWith('/api/v1/sites/')) return path.replace('{id}', t.a.siteId);
  if (path.startsWith('/api/v1/domains/')) return path.replace('{id}', t.a.domainId);
  if (path.startsWith('/api/v1/tokens/')) return path.replace('{id}', t.alphaTokenId);
  if (path.startsWith('/api/v1/accounts/')) return path.replace('{id}', t.a.id);
  if (path.startsWith('/api/v1/databases/')) return path.replace('{id}', t.databaseId);
  if (path.startsWith('/api/v1/database-users/')) return path.replace('{id}', t.databaseUserId);
  // Webhooks are admin-only: any well-formed id shows the refusal comes before the lookup.
  if (path.startsWith('/api/v1/webhooks/')) return path.replace('{id}', t.alphaPlanId);
  throw new Error(`no id to fill in ${route}`);
}

/**
 * makeTarget makes tenant A ("alpha") on a plan of its own, with a database and a database user (on a fake
 * database port bound to `ports`), the resources every generated test addresses.
 */
export async function makeTarget(app: FastifyInstance, admin: Caller, ports: ControlPorts): Promise<Target> {
  const a = await makeTenant(app, admin, 'alpha');
  const plan = await call(app, admin, 'POST', '/api/v1/plans', {
    name: 'Alpha plan',
    maxSites: 5,
    maxDomains: 5,
    cpuMillicores: 500,
    memoryMb: 256,
    diskMb: 1000,
    bandwidthGb: 10,
    pidsLimit: 64,
    phpVersions: ['8.2', '8.4'],
    phpMaxMemoryMb: 128,
    phpMaxUploadMb: 16,
    phpMaxExecSeconds: 30,
  });
  const alphaPlanId = (plan.json() as { id: string }).id;
  if ((await call(app, admin, 'PATCH', `/api/v1/tenants/${a.id}`, { planId: alphaPlanId })).statusCode !== 200)
    throw new Error('could not move tenant A to its plan');
  const tokens = await call(app, a.owner, 'GET', '/api/v1/tokens');
  const alphaTokenId = (tokens.json() as { items: { id: string }[] }).items[0]!.id;
  ports.databases.bind(new FakeDatabasePort());
  ports.apps.bind(new FakeAppsPort());
  const database = await call(app, a.owner, 'POST', '/api/v1/databases', {
    engine: 'mariadb',
    name: 'shop',
    user: 'shop',
  });
  if (database.statusCode !== 201) throw new Error(`database: ${database.body}`);
  const created = database.json() as { id: string; user: { id: string } };
  return {
    a,
    alphaPlanId,
    alphaTokenId,
    databaseId: created.id,
    databaseUserId: created.user.id,
    ...(await makeQueuedResources(app, a)),
  };
}

/** makeQueuedResources gives tenant A a queued backup, a cron job and an SFTP key: the ids their routes address. */
export async function makeQueuedResources(
  app: FastifyInstance,
  a: TenantFixture,
): Promise<Pick<Target, 'backupId' | 'cronJobId' | 'sftpKeyId'>> {
  const backup = await call(app, a.owner, 'POST', `/api/v1/tenants/${a.id}/backups`);
  if (backup.statusCode !== 202) throw new Error(`backup: ${backup.body}`);
  const cron = await call(app, a.owner, 'POST', '/api/v1/cron-jobs', {
    siteId: a.siteId,
    name: 'Nightly',
    schedule: '@daily',
    command: 'php -v',
  });
  if (cron.statusCode !== 201) throw new Error(`cron job: ${cron.body}`);
  const key = await call(app, a.owner, 'POST', '/api/v1/sftp/keys', { name: 'Laptop', publicKey: SAMPLE_SSH_KEY });
  if (key.statusCode !== 201) throw new Error(`sftp key: ${key.body}`);
  return {
    backupId: (backup.json() as { id: string }).id,
    cronJobId: (cron.json() as { id: string }).id,
    sftpKeyId: (key.json() as { id: string }).id,
  };
}

/** documentedRoutes lists every operation of the OpenAPI document as `METHOD /path`. */
export async function documentedRoutes(app: FastifyInstance): Promise<string[]> {
  const doc = (await call(app, anonymous, 'GET', '/api/v1/openapi.json')).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
  );
}

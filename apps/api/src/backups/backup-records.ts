import { z } from 'zod';
import type { Db } from '@berth/db';
import { ZId, ZSlug } from '@berth/contracts';

/**
 * TenantRecords is the JSON export of a tenant's panel records in its snapshots (`panel/records.json`): what is
 * needed to make the account again after it was terminated. No secret is in clear: passwords are hashes
 * (argon2 for sign-in, SHA-512 crypt for SFTP), database passwords stay encrypted with the installation's data
 * key. ZTenantRecords (below) reads it back.
 */
export type TenantRecords = z.infer<typeof ZTenantRecords>;

/** tenantRecords reads a tenant's records for its backup, or null when the tenant is gone. */
export async function tenantRecords(db: Db, tenantId: string): Promise<TenantRecords | null> {
  const t = await db.tenant.findUnique({
    where: { id: tenantId },
    include: {
      plan: true,
      users: true,
      sites: { include: { domains: true, cronJobs: true }, orderBy: { createdAt: 'asc' } },
      databases: { orderBy: { createdAt: 'asc' } },
      databaseUsers: { include: { grants: { include: { database: true } } } },
      sftpAccount: true,
      sftpKeys: true,
    },
  });
  if (!t) return null;
  return {
    format: 'berth-tenant-records/1',
    exportedAt: new Date().toISOString(),
    tenant: {
      id: t.id,
      slug: t.slug,
      name: t.name,
      status: t.status,
      webserver: t.webserver as 'nginx' | 'apache',
      varnishEnabled: t.varnishEnabled,
      uid: t.uid,
    },
    plan: {
      id: t.plan.id,
      name: t.plan.name,
      backupKeepDaily: t.plan.backupKeepDaily,
      backupKeepWeekly: t.plan.backupKeepWeekly,
    },
    users: t.users.map((u) => ({ email: u.email, role: u.role, passwordHash: u.passwordHash })),
    sites: t.sites.map((s) => ({
      id: s.id,
      name: s.name,
      runtimeKind: s.runtimeKind,
      runtimeVersion: s.runtimeVersion,
      settings: JSON.parse(s.settings) as unknown,
    })),
    domains: t.sites.flatMap((s) =>
      s.domains.map((d) => ({
        hostname: d.hostname,
        siteId: s.id,
        kind: d.kind,
        redirectTo: d.redirectTo,
        redirectCode: d.redirectCode,
        tlsMode: d.tlsMode,
        wwwRedirect: d.wwwRedirect,
      })),
    ),
    databases: t.databases.map((d) => ({ id: d.id, engine: d.engine as 'mariadb' | 'postgresql', name: d.name })),
    databaseUsers: t.databaseUsers.map((u) => ({
      engine: u.engine as 'mariadb' | 'postgresql',
      name: u.name,
      passwordEnc: u.passwordEnc,
      databases: u.grants.map((g) => g.database.name),
    })),
    cronJobs: t.sites.flatMap((s) =>
      s.cronJobs.map((j) => ({
        siteId: s.id,
        name: j.name,
        schedule: j.schedule,
        command: j.command,
        timeoutSeconds: j.timeoutSeconds,
        enabled: j.enabled,
      })),
    ),
    sftp: t.sftpAccount
      ? {
          enabled: t.sftpAccount.enabled,
          passwordHash: t.sftpAccount.passwordHash,
          keys: t.sftpKeys.map((k) => ({ name: k.name, publicKey: k.publicKey })),
        }
      : null,
  };
}

/** ZTenantRecords reads `panel/records.json` back (a snapshot is data from disk: checked before it becomes rows). */
export const ZTenantRecords = z.object({
  format: z.literal('berth-tenant-records/1'),
  exportedAt: z.string(),
  tenant: z.object({
    id: ZId,
    slug: ZSlug,
    name: z.string().min(1).max(100),
    status: z.string(),
    webserver: z.enum(['nginx', 'apache']),
    varnishEnabled: z.boolean(),
    uid: z.number().int(),
  }),
  plan: z.object({ id: z.string(), name: z.string(), backupKeepDaily: z.number(), backupKeepWeekly: z.number() }),
  users: z.array(z.object({ email: z.string().max(254), role: z.string(), passwordHash: z.string().max(512) })),
  sites: z.array(
    z.object({
      id: ZId,
      name: z.string().min(1).max(100),
      runtimeKind: z.string(),
      runtimeVersion: z.string(),
      settings: z.unknown(),
    }),
  ),
  domains: z.array(
    z.object({
      hostname: z.string(),
      siteId: ZId,
      kind: z.string(),
      redirectTo: z.string().nullable(),
      redirectCode: z.number().nullable(),
      tlsMode: z.string(),
      wwwRedirect: z.string(),
    }),
  ),
  databases: z.array(z.object({ id: ZId, engine: z.enum(['mariadb', 'postgresql']), name: z.string().max(63) })),
  databaseUsers: z.array(
    z.object({
      engine: z.enum(['mariadb', 'postgresql']),
      name: z.string().max(63),
      passwordEnc: z.string(),
      databases: z.array(z.string()),
    }),
  ),
  cronJobs: z.array(
    z.object({
      siteId: ZId,
      name: z.string(),
      schedule: z.string(),
      command: z.string(),
      timeoutSeconds: z.number().int(),
      enabled: z.boolean(),
    }),
  ),
  sftp: z
    .object({
      enabled: z.boolean(),
      passwordHash: z.string().nullable(),
      keys: z.array(z.object({ name: z.string(), publicKey: z.string() })),
    })
    .nullable(),
});

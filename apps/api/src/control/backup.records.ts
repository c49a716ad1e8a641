import type { Db } from '@berth/db';

/**
 * TenantRecords is the JSON export of a tenant's panel records in its snapshots (`panel/records.json`): what is
 * needed to make the account again after it was terminated. No secret is in clear: passwords are hashes
 * (argon2 for sign-in, SHA-512 crypt for SFTP), database passwords and custom certificate keys stay encrypted
 * with the installation's data key.
 */
export interface TenantRecords {
  format: 'berth-tenant-records/1';
  exportedAt: string;
  tenant: {
    id: string;
    slug: string;
    name: string;
    status: string;
    webserver: string;
    varnishEnabled: boolean;
    uid: number;
  };
  plan: { id: string; name: string; backupKeepDaily: number; backupKeepWeekly: number };
  users: { email: string; role: string; passwordHash: string }[];
  sites: { id: string; name: string; runtimeKind: string; runtimeVersion: string; settings: unknown }[];
  domains: {
    hostname: string;
    siteId: string;
    kind: string;
    redirectTo: string | null;
    redirectCode: number | null;
    tlsMode: string;
    wwwRedirect: string;
  }[];
  databases: { id: string; engine: 'mariadb' | 'postgresql'; name: string }[];
  databaseUsers: { engine: string; name: string; passwordEnc: string; databases: string[] }[];
  cronJobs: {
    siteId: string;
    name: string;
    schedule: string;
    command: string;
    timeoutSeconds: number;
    enabled: boolean;
  }[];
  sftp: { enabled: boolean; passwordHash: string | null; keys: { name: string; publicKey: string }[] } | null;
}

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
      webserver: t.webserver,
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
      engine: u.engine,
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

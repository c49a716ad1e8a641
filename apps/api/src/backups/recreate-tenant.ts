import {
  nextRun,
  parseCron,
  ZSiteRuntime,
  ZSiteSettings,
  type TDomainKind,
  type TTlsMode,
  type TWwwRedirect,
} from '@berth/contracts';
import { newId } from '@berth/db';
import type { RequestContext } from '../auth/principal.js';
import type { DomainVerifier } from '../domains/domain-verification.js';
import { AppError } from '../errors.js';
import { fingerprintOf } from '../sftp/sftp.service.js';
import { insertDomain, insertSite } from '../sites/site-records.js';
import { insertTenant, type Tx } from '../tenants/tenant-records.js';
import type { TenantRecords } from './backup-records.js';

/** Recreated says what could not be made again as it was (a name another account took meanwhile). */
export interface Recreated {
  skipped: string[];
}

/**
 * recreateTenant makes a terminated tenant's account again from the records of its snapshot, inside the caller's
 * transaction: the tenant with its id and slug (a new uid and ports), its users, sites with their ids and
 * settings, domains, database and database-user rows (the control plane makes them on the servers, with the
 * same passwords), cron jobs and SFTP access. Its files and databases' contents are then the restore's job. A
 * slug or owner email now used elsewhere refuses it all; a hostname or database name now used elsewhere is
 * skipped and named.
 */
export async function recreateTenant(
  tx: Tx,
  ctx: Pick<RequestContext, 'principal' | 'ip'>,
  records: TenantRecords,
  opts: { planId: string; portRange: { first: number; last: number }; verifier: Pick<DomainVerifier, 'required'> },
): Promise<Recreated> {
  const skipped: string[] = [];
  const { tenant } = records;
  if (await tx.tenant.findUnique({ where: { slug: tenant.slug }, select: { id: true } }))
    throw new AppError(
      'SLUG_TAKEN',
      `Another account now uses the slug "${tenant.slug}"; terminate or rename it first.`,
    );
  const owner = records.users.find((u) => u.role === 'tenant-owner') ?? records.users[0];
  if (!owner) throw new AppError('BACKUP_NOT_RESTORABLE', 'The backup holds no user of this account.');
  const emails = records.users.map((u) => u.email);
  const taken = await tx.user.findMany({ where: { email: { in: emails } }, select: { email: true } });
  if (taken.some((u) => u.email === owner.email))
    throw new AppError('EMAIL_TAKEN', `The owner's email ${owner.email} now belongs to another user.`);
  await insertTenant(tx, ctx, {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    planId: opts.planId,
    webserver: tenant.webserver,
    ownerEmail: owner.email,
    passwordHash: owner.passwordHash,
    portRange: opts.portRange,
    details: { restored: true },
  });
  if (tenant.varnishEnabled) await tx.tenant.update({ where: { id: tenant.id }, data: { varnishEnabled: true } });
  for (const user of records.users) {
    if (user === owner) continue;
    if (taken.some((u) => u.email === user.email)) {
      skipped.push(`user ${user.email}`);
      continue;
    }
    await tx.user.create({
      data: { id: newId(), email: user.email, passwordHash: user.passwordHash, role: user.role, tenantId: tenant.id },
    });
  }
  for (const site of records.sites) {
    const runtime = ZSiteRuntime.safeParse({ kind: site.runtimeKind, version: site.runtimeVersion });
    const settings = ZSiteSettings.safeParse(site.settings);
    if (!runtime.success || !settings.success) {
      skipped.push(`site ${site.name}`);
      continue;
    }
    await insertSite(tx, ctx, {
      id: site.id,
      tenantId: tenant.id,
      name: site.name,
      runtime: runtime.data,
      settings: settings.data,
    });
  }
  const sites = new Set(records.sites.map((s) => s.id));
  for (const d of records.domains) {
    if (
      !sites.has(d.siteId) ||
      (await tx.domain.findUnique({ where: { hostname: d.hostname }, select: { id: true } }))
    ) {
      skipped.push(`domain ${d.hostname}`);
      continue;
    }
    await insertDomain(
      tx,
      ctx,
      {
        id: newId(),
        tenantId: tenant.id,
        siteId: d.siteId,
        hostname: d.hostname,
        kind: d.kind as TDomainKind,
        ...(d.redirectTo ? { redirectTo: d.redirectTo } : {}),
        ...(d.redirectCode === 301 || d.redirectCode === 302 ? { redirectCode: d.redirectCode } : {}),
        tls: d.tlsMode as TTlsMode,
        wwwRedirect: d.wwwRedirect as TWwwRedirect,
      },
      opts.verifier,
    );
  }
  const databaseIds = new Map<string, string>();
  for (const db of records.databases) {
    if (await tx.database.findUnique({ where: { engine_name: { engine: db.engine, name: db.name } } })) {
      skipped.push(`database ${db.name}`);
      continue;
    }
    await tx.database.create({ data: { id: db.id, tenantId: tenant.id, engine: db.engine, name: db.name } });
    databaseIds.set(`${db.engine}:${db.name}`, db.id);
  }
  for (const user of records.databaseUsers) {
    if (await tx.databaseUser.findUnique({ where: { engine_name: { engine: user.engine, name: user.name } } })) {
      skipped.push(`database user ${user.name}`);
      continue;
    }
    const id = newId();
    await tx.databaseUser.create({
      data: { id, tenantId: tenant.id, engine: user.engine, name: user.name, passwordEnc: user.passwordEnc },
    });
    for (const name of user.databases) {
      const databaseId = databaseIds.get(`${user.engine}:${name}`);
      if (databaseId) await tx.databaseGrant.create({ data: { databaseId, userId: id } });
    }
  }
  for (const job of records.cronJobs) {
    const parsed = parseCron(job.schedule);
    if (!sites.has(job.siteId) || !parsed.ok) {
      skipped.push(`cron job ${job.name}`);
      continue;
    }
    await tx.cronJob.create({
      data: {
        id: newId(),
        tenantId: tenant.id,
        siteId: job.siteId,
        name: job.name,
        schedule: job.schedule,
        command: job.command,
        timeoutSeconds: job.timeoutSeconds,
        enabled: job.enabled,
        nextRunAt: job.enabled ? nextRun(parsed.schedule, new Date()) : null,
      },
    });
  }
  if (records.sftp) {
    await tx.sftpAccount.create({
      data: { tenantId: tenant.id, enabled: records.sftp.enabled, passwordHash: records.sftp.passwordHash },
    });
    for (const key of records.sftp.keys) {
      const [, data] = key.publicKey.split(' ');
      await tx.sftpKey.create({
        data: {
          id: newId(),
          tenantId: tenant.id,
          name: key.name,
          publicKey: key.publicKey,
          fingerprint: fingerprintOf(data ?? ''),
        },
      });
    }
  }
  return { skipped };
}

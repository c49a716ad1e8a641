import type { Readable } from 'node:stream';
import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import type { TBackup, TRestore, TSnapshotListing, TTerminatedTenants, ZRestoreRequest } from '@berth/contracts';
import type { z } from 'zod';
import {
  actorOf,
  canSeeTenant,
  isAdmin,
  requireAdmin,
  requireNotBilling,
  requireWrite,
  type RequestContext,
} from '../auth/principal.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { BackupPortError, type BackupPort, type PortSlot } from '../ports.js';
import { contentsOf, toBackup, toRestore } from '../records/backup.record.js';
import type { DesiredStateNotifier } from '../desired-state.js';
import type { DomainVerifier } from '../domains/domain-verification.js';
import { resolvePlan } from '../tenants/tenant-records.js';
import { ZTenantRecords, type TenantRecords } from './backup-records.js';
import { recreateTenant } from './recreate-tenant.js';

const PORT_WAIT_MS = 20_000;
/** The last backups and restores a list shows. */
const LIST_LIMIT = 100;

interface TenantRef {
  id: string;
  slug: string;
  /** The tenant row is gone: only its backups remain (an administrator may restore it). */
  terminated: boolean;
}

function busy(what: string): AppError {
  return new AppError('BACKUP_BUSY', `${what} Wait for it to finish, then try again.`);
}

function notRestorable(message: string): AppError {
  return new AppError('BACKUP_NOT_RESTORABLE', message);
}

/**
 * BackupsService is the API of backups and restores. It queues them (Backup and Restore rows, with an event),
 * and the control plane's backup worker carries them out one at a time and records the result. Tenant users
 * see and restore their own account's backups; administrators any, including a terminated tenant's, which
 * stay listed until retention forgets them.
 */
export class BackupsService {
  constructor(
    private readonly deps: {
      db: Db;
      port: PortSlot<BackupPort>;
      notifier: DesiredStateNotifier;
      portRange: { first: number; last: number };
      verifier: Pick<DomainVerifier, 'required'>;
    },
  ) {}

  async list(ctx: RequestContext, tenantId: string): Promise<{ items: TBackup[] }> {
    const tenant = await this.tenantOf(ctx, tenantId);
    const rows = await this.deps.db.backup.findMany({
      where: { tenantId: tenant.id },
      orderBy: { createdAt: 'desc' },
      take: LIST_LIMIT,
    });
    return { items: rows.map(toBackup) };
  }

  async create(ctx: RequestContext, tenantId: string): Promise<TBackup> {
    requireWrite(ctx.principal);
    const tenant = await this.tenantOf(ctx, tenantId);
    if (tenant.terminated) throw notFound('Tenant');
    const row = await this.deps.db.$transaction(async (tx) => {
      const pending = await tx.backup.count({ where: { tenantId: tenant.id, status: { in: ['queued', 'running'] } } });
      if (pending > 0) throw busy('A backup of this account is already queued or running.');
      const created = await tx.backup.create({
        data: {
          id: newId(),
          tenantId: tenant.id,
          tenantSlug: tenant.slug,
          trigger: 'manual',
          status: 'queued',
          actor: actorOf(ctx.principal),
        },
      });
      await recordEvent(tx, ctx, {
        action: 'backup.requested',
        targetType: 'backup',
        targetId: created.id,
        tenantId: tenant.id,
      });
      return created;
    });
    this.deps.port.current?.wake();
    return toBackup(row);
  }

  /** backupAll queues a backup of every tenant that has none queued or running (administrators). */
  async backupAll(ctx: RequestContext): Promise<{ queued: number }> {
    requireAdmin(ctx.principal);
    requireWrite(ctx.principal);
    const queued = await this.deps.db.$transaction(async (tx) => {
      const tenants = await tx.tenant.findMany({ select: { id: true, slug: true } });
      const pending = new Set(
        (
          await tx.backup.findMany({ where: { status: { in: ['queued', 'running'] } }, select: { tenantId: true } })
        ).map((b) => b.tenantId),
      );
      let count = 0;
      for (const t of tenants) {
        if (pending.has(t.id)) continue;
        await tx.backup.create({
          data: {
            id: newId(),
            tenantId: t.id,
            tenantSlug: t.slug,
            trigger: 'manual',
            status: 'queued',
            actor: actorOf(ctx.principal),
          },
        });
        count++;
      }
      await recordEvent(tx, ctx, { action: 'backup.all-requested', targetType: 'backup', details: { queued: count } });
      return count;
    });
    this.deps.port.current?.wake();
    return { queued };
  }

  /** listTerminated lists terminated tenants that still have restorable backups (administrators). */
  async listTerminated(ctx: RequestContext): Promise<TTerminatedTenants> {
    requireAdmin(ctx.principal);
    const live = new Set((await this.deps.db.tenant.findMany({ select: { id: true } })).map((t) => t.id));
    const kept = await this.deps.db.backup.findMany({
      where: { status: 'succeeded', forgottenAt: null },
      select: { tenantId: true, tenantSlug: true, createdAt: true },
      orderBy: { createdAt: 'desc' },
    });
    const byTenant = new Map<string, TTerminatedTenants['items'][number]>();
    for (const b of kept) {
      if (live.has(b.tenantId)) continue;
      const seen = byTenant.get(b.tenantId);
      if (seen) seen.backups++;
      else
        byTenant.set(b.tenantId, {
          tenantId: b.tenantId,
          tenantSlug: b.tenantSlug,
          lastBackupAt: b.createdAt.toISOString(),
          backups: 1,
        });
    }
    return { items: [...byTenant.values()] };
  }

  async browse(ctx: RequestContext, tenantId: string, backupId: string, path: string): Promise<TSnapshotListing> {
    const backup = await this.restorable(ctx, tenantId, backupId);
    const entries = await this.portCall((port) => port.browse(backup.snapshotId, path));
    return { path, entries };
  }

  async download(
    ctx: RequestContext,
    tenantId: string,
    backupId: string,
    path: string,
  ): Promise<{ name: string; stream: Readable }> {
    const backup = await this.restorable(ctx, tenantId, backupId);
    if (path === '') throw new AppError('VALIDATION_FAILED', 'Name the file or folder to download (path).');
    const { stream, folder } = await this.portCall((port) => port.download(backup.snapshotId, path));
    await this.deps.db.$transaction((tx) =>
      recordEvent(tx, ctx, {
        action: 'backup.downloaded',
        targetType: 'backup',
        targetId: backupId,
        tenantId,
        details: { path },
      }),
    );
    const name = path.split('/').pop() ?? 'download';
    return { name: folder ? `${name}.tar` : name, stream };
  }

  async restore(
    ctx: RequestContext,
    tenantId: string,
    backupId: string,
    input: z.output<typeof ZRestoreRequest>,
  ): Promise<TRestore> {
    requireWrite(ctx.principal);
    const backup = await this.restorable(ctx, tenantId, backupId);
    const contents = contentsOf(backup.contents);
    const tenant = await this.deps.db.tenant.findUnique({ where: { id: tenantId }, select: { id: true } });
    let target: Record<string, string> = {};
    // A terminated tenant is made again from the snapshot's records first (administrators only).
    const records = !tenant && input.scope === 'tenant' ? await this.recordsOf(backup.snapshotId, tenantId) : null;
    if (input.scope === 'tenant') {
      if (!tenant && !isAdmin(ctx.principal)) throw notFound('Tenant');
    } else {
      if (!tenant) throw notRestorable('This account was terminated: restore the whole account first.');
      if (input.scope === 'site' || input.scope === 'path') {
        if (!contents.sites.some((s) => s.id === input.siteId))
          throw notRestorable('This backup does not hold that site; choose a backup made after the site was created.');
        const site = await this.deps.db.site.findFirst({ where: { id: input.siteId, tenantId } });
        if (!site) throw notRestorable('That site was deleted since this backup; restore the whole account instead.');
        target = input.scope === 'site' ? { siteId: input.siteId } : { siteId: input.siteId, path: input.path };
      } else {
        const db = contents.databases.find((d) => d.id === input.databaseId);
        if (!db) throw notRestorable('This backup does not hold that database.');
        const row = await this.deps.db.database.findFirst({ where: { id: input.databaseId, tenantId } });
        if (!row) throw notRestorable('That database was deleted since this backup; create it again, then restore.');
        target = { databaseId: input.databaseId };
      }
    }
    const planId = records
      ? ((await this.deps.db.plan.findUnique({ where: { id: records.plan.id }, select: { id: true } }))?.id ??
        (await resolvePlan(this.deps.db, undefined)).id)
      : undefined;
    const row = await this.deps.db.$transaction(async (tx) => {
      const running = await tx.restore.count({ where: { tenantId, status: { in: ['queued', 'running'] } } });
      if (running > 0) throw busy('A restore of this account is already queued or running.');
      const recreated = records
        ? await recreateTenant(tx, ctx, records, {
            planId: planId!,
            portRange: this.deps.portRange,
            verifier: this.deps.verifier,
          })
        : null;
      if (recreated)
        target = {
          recreated: 'true',
          ...(recreated.skipped.length > 0 ? { skipped: recreated.skipped.join(', ') } : {}),
        };
      const created = await tx.restore.create({
        data: {
          id: newId(),
          tenantId,
          backupId,
          scope: input.scope,
          target: JSON.stringify(target),
          status: 'queued',
          actor: actorOf(ctx.principal),
        },
      });
      await recordEvent(tx, ctx, {
        action: 'restore.requested',
        targetType: 'restore',
        targetId: created.id,
        tenantId,
        details: { backupId, scope: input.scope, ...target },
      });
      return created;
    });
    if (records) this.deps.notifier.tenantChanged(tenantId);
    this.deps.port.current?.wake();
    return toRestore(row);
  }

  /** recordsOf reads and checks a snapshot's `panel/records.json` (the account to make again). */
  private async recordsOf(snapshotId: string, tenantId: string): Promise<TenantRecords> {
    const { stream } = await this.portCall((port) => port.download(snapshotId, 'panel/records.json'));
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > 16 * 1024 * 1024) throw notRestorable('The records of this backup are too large to read.');
      chunks.push(chunk);
    }
    let parsed: ReturnType<typeof ZTenantRecords.safeParse>;
    try {
      parsed = ZTenantRecords.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      throw notRestorable('The records of this backup cannot be read; restore from another backup.');
    }
    if (!parsed.success || parsed.data.tenant.id !== tenantId)
      throw notRestorable('The records of this backup cannot be read; restore from another backup.');
    return parsed.data;
  }

  async listRestores(ctx: RequestContext, tenantId: string): Promise<{ items: TRestore[] }> {
    const tenant = await this.tenantOf(ctx, tenantId);
    const rows = await this.deps.db.restore.findMany({
      where: { tenantId: tenant.id },
      orderBy: { createdAt: 'desc' },
      take: LIST_LIMIT,
    });
    return { items: rows.map(toRestore) };
  }

  /**
   * tenantOf authorizes access to a tenant's backups: its own users, and administrators. A tenant without a row
   * (terminated) is visible to administrators while it has backups; to everyone else, like any unknown id, it
   * is NOT_FOUND.
   */
  private async tenantOf(ctx: RequestContext, tenantId: string): Promise<TenantRef> {
    requireNotBilling(ctx.principal);
    if (!canSeeTenant(ctx.principal, tenantId)) throw notFound('Tenant');
    const tenant = await this.deps.db.tenant.findUnique({ where: { id: tenantId }, select: { id: true, slug: true } });
    if (tenant) return { ...tenant, terminated: false };
    if (isAdmin(ctx.principal)) {
      const last = await this.deps.db.backup.findFirst({ where: { tenantId }, orderBy: { createdAt: 'desc' } });
      if (last) return { id: tenantId, slug: last.tenantSlug, terminated: true };
    }
    throw notFound('Tenant');
  }

  /** restorable is a backup of the tenant whose snapshot still exists. */
  private async restorable(ctx: RequestContext, tenantId: string, backupId: string) {
    const tenant = await this.tenantOf(ctx, tenantId);
    const backup = await this.deps.db.backup.findFirst({ where: { id: backupId, tenantId: tenant.id } });
    if (!backup) throw notFound('Backup');
    if (backup.status !== 'succeeded' || !backup.snapshotId)
      throw notRestorable('This backup did not complete; choose one that succeeded.');
    if (backup.forgottenAt) throw notRestorable('Retention removed this backup; choose a newer one.');
    return { ...backup, snapshotId: backup.snapshotId };
  }

  private async portCall<T>(op: (port: BackupPort) => Promise<T>): Promise<T> {
    const port = await this.deps.port.ready(PORT_WAIT_MS);
    if (!port)
      throw new AppError(
        'BACKUP_UNAVAILABLE',
        'Backups cannot be read right now (the control plane is not running); try again shortly.',
      );
    try {
      return await op(port);
    } catch (error) {
      if (!(error instanceof BackupPortError)) throw error;
      if (error.reason === 'not-found') throw notFound('File');
      throw new AppError('BACKUP_UNAVAILABLE', 'The backup repository did not answer; try again in a minute.', {
        cause: error,
      });
    }
  }
}

import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import {
  backupTenant,
  banCache,
  dumpDatabase,
  dumpPath,
  ensureBackupRepo,
  extractPaths,
  forgetSnapshot,
  forgetSnapshots,
  isRuntimeError,
  reloadTenantPhp,
  restoreDatabase,
  restorePath,
  restoreSites,
  pruneRepo,
  snapshotContents,
  unlockRepo,
  type DockerDriver,
} from '@berth/runtime';
import { recordEvent } from '../events/events.service.js';
import { BackupPortError, type BackupPort, type SnapshotEntry } from '../ports.js';
import { contentsOf, targetOf, type BackupContents } from '../records/backup.record.js';
import { tenantRecords, type TenantRecords } from '../backups/backup-records.js';

/** TICK_MS: how often the worker looks for scheduled backups that are due and expired snapshots. */
const TICK_MS = 60_000;
const DAY_MS = 24 * 3600_000;
/** KEEP_LAST: the newest snapshots kept whatever the plan's daily/weekly counts (a "Back up now" before a risky change does not make the morning's backup go). */
const KEEP_LAST = 3;

/** dumpFileName is a database's dump in the snapshot's `databases/` folder. */
export function dumpFileName(engine: string, name: string): string {
  return `${engine}-${name}.sql`;
}

/** lastSlot is the most recent scheduled time at or before `now`: daily at `hour` UTC, weekly on Sundays. */
export function lastSlot(now: Date, hour: number, schedule: 'daily' | 'weekly'): Date {
  const slot = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour));
  if (slot > now) slot.setUTCDate(slot.getUTCDate() - 1);
  if (schedule === 'weekly') slot.setUTCDate(slot.getUTCDate() - slot.getUTCDay());
  return slot;
}

/**
 * BackupWorker carries out the queued backups and restores (Backup and Restore rows) one at a time, restores
 * first, with restic through the runtime's one-shot containers. A backup saves the tenant's `sites/`, a
 * consistent dump of each of its databases and a JSON export of its panel records; then the plan's retention
 * forgets older snapshots. A restore swaps a site's files in at once (never half restored while serving), loads
 * a database from its dump, or puts one path back; then PHP is reloaded and the cache forgets the site. Every
 * minute it queues the scheduled backups that are due (plan schedule at BERTH_BACKUP_HOUR UTC) and forgets the
 * snapshots of tenants terminated more than `terminatedDays` ago. At start, a backup cut short is failed and a
 * restore cut short runs again (restores are idempotent).
 */
export class BackupWorker implements BackupPort {
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private repoReady = false;
  private lastExpiry = 0;
  /** Snapshots were forgotten since the last prune: their data is still in the repository. */
  private forgotten = false;

  constructor(
    private readonly deps: {
      db: Db;
      driver: DockerDriver;
      repo: string;
      hourUtc: number;
      terminatedDays: number;
      logger: FastifyBaseLogger;
      /** Makes a database on its server if missing (a terminated tenant made again: its rows came first). */
      ensureDatabase?: (engine: 'mariadb' | 'postgresql', name: string) => Promise<void>;
      /** How long a whole-tenant restore waits for the tenant's sites to be live (ms; 10 min). */
      siteWaitMs?: number;
      now?: () => Date;
    },
  ) {}

  async start(): Promise<void> {
    const now = this.now();
    await this.deps.db.backup.updateMany({
      where: { status: 'running' },
      data: { status: 'failed', message: 'The panel stopped while this backup was running.', finishedAt: now },
    });
    await this.deps.db.restore.updateMany({ where: { status: 'running' }, data: { status: 'queued' } });
    // A restic killed with the previous panel may have left a lock (unlock removes stale ones only, so a backup
    // starting meanwhile keeps its own); without a succeeded backup there is no repository yet.
    if (await this.deps.db.backup.count({ where: { status: 'succeeded' } }))
      void unlockRepo(this.deps.driver, { repo: this.deps.repo }).catch((err: unknown) =>
        this.deps.logger.warn({ err }, 'backups: stale locks could not be removed'),
      );
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.draining) await this.draining;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((err: unknown) => this.deps.logger.error({ err }, 'backups: the queue stopped on an error'))
      .finally(() => {
        this.draining = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** idle resolves once nothing is queued or running (tests, bench). */
  async idle(): Promise<void> {
    for (;;) {
      while (this.draining) await this.draining;
      const queued =
        (await this.deps.db.backup.count({ where: { status: { in: ['queued', 'running'] } } })) +
        (await this.deps.db.restore.count({ where: { status: { in: ['queued', 'running'] } } }));
      if (queued === 0) return;
      this.wake();
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async browse(snapshotId: string, rel: string): Promise<SnapshotEntry[]> {
    try {
      const entries = await snapshotContents(this.deps.driver, {
        snapshotId,
        path: rel === '' ? '/data' : `/data/${rel}`,
        repo: this.deps.repo,
      });
      return entries.map((e) => {
        const relPath = e.path.replace(/^\/data\/?/, '');
        return {
          path: relPath,
          name: relPath.split('/').pop() ?? relPath,
          type: e.type === 'file' || e.type === 'dir' || e.type === 'symlink' ? e.type : 'other',
          size: e.size ?? null,
          mtime: e.mtime ?? null,
        };
      });
    } catch (err) {
      throw portError(err);
    }
  }

  async download(snapshotId: string, rel: string): Promise<{ stream: Readable; folder: boolean }> {
    try {
      const path = `/data/${rel}`;
      const entries = await snapshotContents(this.deps.driver, { snapshotId, path, repo: this.deps.repo });
      const folder = !(entries.length === 1 && entries[0]!.path === path && entries[0]!.type !== 'dir');
      return { stream: await dumpPath(this.deps.driver, { snapshotId, path, repo: this.deps.repo }), folder };
    } catch (err) {
      throw portError(err);
    }
  }

  private tick(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    void this.queueScheduled()
      .catch((err: unknown) => this.deps.logger.error({ err }, 'backups: scheduling failed'))
      .finally(() => {
        this.wake();
        if (this.stopped) return;
        this.timer = setTimeout(() => this.tick(), TICK_MS);
        this.timer.unref();
      });
  }

  /** queueScheduled queues a backup of each tenant whose plan's slot passed since its last backup. */
  async queueScheduled(): Promise<number> {
    const now = this.now();
    const tenants = await this.deps.db.tenant.findMany({
      select: { id: true, slug: true, createdAt: true, plan: { select: { backupSchedule: true } } },
    });
    let queued = 0;
    for (const t of tenants) {
      const schedule = t.plan.backupSchedule;
      if (schedule !== 'daily' && schedule !== 'weekly') continue;
      const slot = lastSlot(now, this.deps.hourUtc, schedule);
      // A tenant created after the slot waits for the next one.
      if (t.createdAt > slot) continue;
      const since = await this.deps.db.backup.count({ where: { tenantId: t.id, createdAt: { gte: slot } } });
      const pending = await this.deps.db.backup.count({
        where: { tenantId: t.id, status: { in: ['queued', 'running'] } },
      });
      if (since > 0 || pending > 0) continue;
      await this.deps.db.backup.create({
        data: {
          id: newId(),
          tenantId: t.id,
          tenantSlug: t.slug,
          trigger: 'scheduled',
          status: 'queued',
          actor: 'system',
        },
      });
      queued++;
    }
    return queued;
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const restore = await this.deps.db.restore.findFirst({
        where: { status: 'queued' },
        orderBy: { createdAt: 'asc' },
      });
      if (restore) {
        await this.runRestore(restore.id);
        continue;
      }
      const backup = await this.deps.db.backup.findFirst({
        where: { status: 'queued' },
        orderBy: { createdAt: 'asc' },
      });
      if (!backup) {
        // Forgetting and pruning lock the repository exclusively: only between backups and restores.
        await this.expireTerminated();
        return;
      }
      await this.runBackup(backup.id);
    }
  }

  private async ensureRepo(): Promise<void> {
    if (this.repoReady) return;
    await ensureBackupRepo(this.deps.driver, { repo: this.deps.repo });
    this.repoReady = true;
  }

  private workDir(id: string): string {
    return path.join(this.deps.driver.dataDir, 'backups', 'work', id);
  }

  async runBackup(id: string): Promise<void> {
    const { db, driver, logger } = this.deps;
    const row = await db.backup.update({ where: { id }, data: { status: 'running', startedAt: this.now() } });
    const work = this.workDir(id);
    try {
      const records = await tenantRecords(db, row.tenantId);
      if (!records) throw new Failure('The account was terminated before its backup ran.');
      await this.ensureRepo();
      await fs.mkdir(path.join(work, 'databases'), { recursive: true, mode: 0o700 });
      await fs.mkdir(path.join(work, 'panel'), { recursive: true, mode: 0o700 });
      for (const database of records.databases) {
        const file = path.join(work, 'databases', dumpFileName(database.engine, database.name));
        await dumpDatabase(driver, database.engine, database.name, file);
      }
      await fs.writeFile(path.join(work, 'panel', 'records.json'), JSON.stringify(records, null, 2), { mode: 0o600 });
      const result = await backupTenant(driver, {
        tenantId: row.tenantId,
        extra: [
          { name: 'databases', hostPath: path.join(work, 'databases') },
          { name: 'panel', hostPath: path.join(work, 'panel') },
        ],
        repo: this.deps.repo,
      });
      const contents: BackupContents = {
        sites: records.sites.map((s) => ({ id: s.id, name: s.name })),
        databases: records.databases.map((d) => ({ id: d.id, engine: d.engine, name: d.name })),
      };
      const warnings = result.warnings.length;
      await db.$transaction(async (tx) => {
        await tx.backup.update({
          where: { id },
          data: {
            status: 'succeeded',
            snapshotId: result.snapshotId,
            sizeBytes: BigInt(result.totalBytes),
            addedBytes: BigInt(result.dataAddedBytes),
            contents: JSON.stringify(contents),
            message: warnings > 0 ? `${warnings} file(s) could not be read and are not in this backup.` : null,
            finishedAt: this.now(),
          },
        });
        await recordEvent(tx, null, {
          action: 'backup.succeeded',
          targetType: 'backup',
          targetId: id,
          tenantId: row.tenantId,
          details: {
            trigger: row.trigger,
            snapshotId: result.snapshotId,
            sizeBytes: result.totalBytes,
            addedBytes: result.dataAddedBytes,
            durationMs: result.durationMs,
          },
        });
      });
      logger.info({ tenantId: row.tenantId, backupId: id, addedBytes: result.dataAddedBytes }, 'backups: done');
      await this.applyRetention(row.tenantId, records.plan);
    } catch (err) {
      logger.error({ err, tenantId: row.tenantId, backupId: id }, 'backups: backup failed');
      const message = `The backup failed: ${reasonOf(err)} The next scheduled backup tries again; "Back up now" retries at once.`;
      await this.recordFailure('backup', id, row.tenantId, message);
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  }

  /** applyRetention forgets the tenant's snapshots its plan no longer keeps (always keeping the KEEP_LAST newest). */
  private async applyRetention(tenantId: string, plan: TenantRecords['plan']): Promise<void> {
    try {
      const { removed } = await forgetSnapshots(this.deps.driver, {
        tenantId,
        keep: { last: KEEP_LAST, daily: plan.backupKeepDaily, weekly: plan.backupKeepWeekly },
        prune: false,
        repo: this.deps.repo,
      });
      if (removed.length > 0) await this.markForgotten(removed);
    } catch (err) {
      this.deps.logger.warn(
        { err, tenantId },
        'backups: retention could not be applied; retried after the next backup',
      );
    }
  }

  private async markForgotten(snapshotIds: string[]): Promise<void> {
    this.forgotten = true;
    await this.deps.db.backup.updateMany({
      where: { snapshotId: { in: snapshotIds }, forgottenAt: null },
      data: { forgottenAt: this.now() },
    });
  }

  /** expireTerminated (run by the queue when idle) forgets, once a day, the snapshots of tenants terminated longer ago than terminatedDays. */
  private async expireTerminated(): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastExpiry < DAY_MS) return;
    this.lastExpiry = now;
    const live = new Set((await this.deps.db.tenant.findMany({ select: { id: true } })).map((t) => t.id));
    const kept = await this.deps.db.backup.findMany({
      where: { status: 'succeeded', forgottenAt: null, snapshotId: { not: null } },
      select: { tenantId: true, snapshotId: true, createdAt: true },
      orderBy: { createdAt: 'desc' },
    });
    const newest = new Map<string, number>();
    for (const b of kept) if (!newest.has(b.tenantId)) newest.set(b.tenantId, b.createdAt.getTime());
    for (const b of kept) {
      if (live.has(b.tenantId)) continue;
      if (now - newest.get(b.tenantId)! < this.deps.terminatedDays * DAY_MS) continue;
      try {
        await forgetSnapshot(this.deps.driver, { snapshotId: b.snapshotId!, prune: false, repo: this.deps.repo });
        await this.markForgotten([b.snapshotId!]);
      } catch (err) {
        this.deps.logger.warn({ err, tenantId: b.tenantId }, 'backups: an expired snapshot could not be forgotten');
      }
    }
    // Once a day, the data of forgotten snapshots leaves the repository (between backups: the queue waits).
    if (this.forgotten) {
      try {
        await pruneRepo(this.deps.driver, { repo: this.deps.repo });
        this.forgotten = false;
        this.deps.logger.info({}, 'backups: repository pruned');
      } catch (err) {
        this.deps.logger.warn({ err }, 'backups: the repository could not be pruned; retried tomorrow');
      }
    }
  }

  async runRestore(id: string): Promise<void> {
    const { db, driver, logger } = this.deps;
    const row = await db.restore.update({ where: { id }, data: { status: 'running', startedAt: this.now() } });
    const work = this.workDir(id);
    try {
      const backup = await db.backup.findUnique({ where: { id: row.backupId } });
      if (!backup?.snapshotId || backup.forgottenAt) throw new Failure('The backup is no longer available.');
      const snapshotId = backup.snapshotId;
      const contents = contentsOf(backup.contents);
      const tenant = await db.tenant.findUnique({
        where: { id: row.tenantId },
        include: { sites: { include: { domains: true } }, databases: true },
      });
      if (!tenant) throw new Failure('The account no longer exists.');
      const owner = { uid: tenant.uid, gid: tenant.uid };
      const target = targetOf(row.target);
      let sites: string[] = [];
      let databases: { engine: 'mariadb' | 'postgresql'; name: string }[] = [];
      if (row.scope === 'site') sites = [target.siteId!];
      else if (row.scope === 'database') {
        const found = tenant.databases.find((d) => d.id === target.databaseId);
        if (!found) throw new Failure('The database was deleted meanwhile.');
        databases = [{ engine: found.engine as 'mariadb' | 'postgresql', name: found.name }];
      } else if (row.scope === 'tenant') {
        sites = contents.sites.map((s) => s.id).filter((s) => tenant.sites.some((t) => t.id === s));
        databases = contents.databases
          .map((d) => tenant.databases.find((t) => t.engine === d.engine && t.name === d.name))
          .filter((d) => d !== undefined)
          .map((d) => ({ engine: d.engine as 'mariadb' | 'postgresql', name: d.name }));
      }
      // A tenant made again from its records has no folders or containers yet: its first pass makes them.
      if (row.scope === 'tenant' && sites.length > 0) await this.waitForSites(tenant.id, sites);
      if (row.scope === 'path') {
        await restorePath(driver, {
          tenantId: tenant.id,
          snapshotId,
          siteId: target.siteId!,
          path: target.path!,
          owner,
          repo: this.deps.repo,
        });
        sites = [target.siteId!];
      } else if (sites.length > 0) {
        await restoreSites(driver, { tenantId: tenant.id, snapshotId, siteIds: sites, owner, repo: this.deps.repo });
      }
      if (databases.length > 0) {
        await fs.mkdir(work, { recursive: true, mode: 0o700 });
        const wanted = databases.map((d) => `/data/databases/${dumpFileName(d.engine, d.name)}`);
        const { missing } = await extractPaths(driver, { snapshotId, paths: wanted, dest: work, repo: this.deps.repo });
        if (missing.length > 0) throw new Failure('The backup holds no dump of that database.');
        for (const d of databases) {
          await this.deps.ensureDatabase?.(d.engine, d.name);
          await restoreDatabase(
            driver,
            d.engine,
            d.name,
            path.join(work, 'data', 'databases', dumpFileName(d.engine, d.name)),
          );
        }
      }
      if (sites.length > 0) {
        // The files changed under PHP and the cache: neither may serve the old ones a moment longer (best effort).
        await reloadTenantPhp(driver, tenant.id).catch(() => undefined);
        for (const site of tenant.sites.filter((s) => sites.includes(s.id)))
          for (const d of site.domains)
            await banCache(driver, { tenantId: tenant.id, host: d.hostname }).catch(() => undefined);
      }
      await db.$transaction(async (tx) => {
        await tx.restore.update({ where: { id }, data: { status: 'succeeded', finishedAt: this.now() } });
        await recordEvent(tx, null, {
          action: 'restore.succeeded',
          targetType: 'restore',
          targetId: id,
          tenantId: row.tenantId,
          details: { backupId: row.backupId, scope: row.scope, sites, databases: databases.map((d) => d.name) },
        });
      });
      logger.info({ tenantId: row.tenantId, restoreId: id, scope: row.scope }, 'backups: restore done');
    } catch (err) {
      // Stopped half-way: left running, so the next start queues it again (a restore can run twice).
      if (this.stopped) return;
      logger.error({ err, tenantId: row.tenantId, restoreId: id }, 'backups: restore failed');
      const message = `The restore failed: ${reasonOf(err)} Nothing of a site is half restored: each site has its old files or the backup's.`;
      await this.recordFailure('restore', id, row.tenantId, message);
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  }

  /** recordFailure marks a backup or restore failed with its message, and records the event, in one transaction. */
  private async recordFailure(
    kind: 'backup' | 'restore',
    id: string,
    tenantId: string,
    message: string,
  ): Promise<void> {
    const data = { status: 'failed', message, finishedAt: this.now() };
    await this.deps.db.$transaction(async (tx) => {
      if (kind === 'backup') await tx.backup.update({ where: { id }, data });
      else await tx.restore.update({ where: { id }, data });
      await recordEvent(tx, null, {
        action: `${kind}.failed`,
        targetType: kind,
        targetId: id,
        tenantId,
        result: 'error',
        message,
      });
    });
  }

  /** waitForSites waits until the sites are live or degraded (their folders and containers exist). */
  private async waitForSites(tenantId: string, siteIds: string[]): Promise<void> {
    const deadline = Date.now() + (this.deps.siteWaitMs ?? 10 * 60_000);
    for (;;) {
      const ready = await this.deps.db.site.count({
        where: { tenantId, id: { in: siteIds }, status: { in: ['live', 'degraded'] } },
      });
      if (ready === siteIds.length) return;
      if (Date.now() > deadline || this.stopped)
        throw new Failure("The account's sites did not come up in time; retry the restore once they are live.");
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** Failure is a reason the worker states itself (shown to the user as is). */
class Failure extends Error {}

function reasonOf(err: unknown): string {
  if (err instanceof Failure) return err.message;
  if (isRuntimeError(err)) {
    if (err.code === 'DOCKER_UNAVAILABLE') return 'the Docker engine did not answer.';
    if (err.code === 'IMAGE_MISSING') return 'the backup image is missing (run scripts/prereqs.sh).';
  }
  return 'an internal error (the operator finds it in the panel log).';
}

function portError(err: unknown): BackupPortError {
  if (isRuntimeError(err) && err.code === 'INVALID_INPUT')
    return new BackupPortError('not-found', err.message, { cause: err });
  return new BackupPortError('unavailable', err instanceof Error ? err.message : String(err), { cause: err });
}

import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import { CRON_OUTPUT_MAX_BYTES, CRON_RUNS_KEPT, nextRun, parseCron } from '@berth/contracts';
import type { SiteCommandParams, SiteCommandResult } from '@berth/runtime';
import type { CronPort } from '../ports.js';

/** SiteCommand is one command to run in a site's runtime container; SiteCommandOutcome what came of it (runSiteCommand). */
export type SiteCommand = SiteCommandParams;
export type SiteCommandOutcome = Pick<
  SiteCommandResult,
  'exitCode' | 'output' | 'truncated' | 'timedOut' | 'durationMs'
>;

type JobRow = {
  id: string;
  tenantId: string;
  siteId: string;
  schedule: string;
  command: string;
  timeoutSeconds: number;
  site: { runtimeKind: string; runtimeVersion: string };
  tenant: { uid: number; status: string };
};

const JOB_INCLUDE = {
  site: { select: { runtimeKind: true, runtimeVersion: true } },
  tenant: { select: { uid: true, status: true } },
} as const;

/** TICK_MS: how often due jobs are looked for (cron's resolution is a minute). */
const TICK_MS = 10_000;

/**
 * CronScheduler runs the tenants' cron jobs. Every tick it starts the enabled jobs whose `nextRunAt` has come
 * (tenants that are active only) and moves `nextRunAt` to the schedule's next minute after now. So after the
 * panel was down, a job whose time passed runs once when the panel is back, never once per missed minute.
 * Runs never overlap: while one runs, its next due time is recorded as a `skipped` run. Each run keeps the last
 * CRON_OUTPUT_MAX_BYTES of its output, its exit code and duration; the last CRON_RUNS_KEPT runs of a job are kept.
 * A run the panel was stopped in is recorded as failed at the next start.
 */
export class CronScheduler implements CronPort {
  private readonly running = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly deps: {
      db: Db;
      run: (command: SiteCommand) => Promise<SiteCommandOutcome>;
      /** Where a tenant's sites are mounted in its containers (the runtime's SITES_MOUNT). */
      sitesMount: string;
      logger: FastifyBaseLogger;
      now?: () => Date;
    },
  ) {}

  async start(): Promise<void> {
    await this.deps.db.cronRun.updateMany({
      where: { status: 'running' },
      data: { status: 'failed', message: 'The panel stopped while this run was going.', finishedAt: this.now() },
    });
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.allSettled([...this.inFlight]);
  }

  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  async runNow(jobId: string, _actor: string): Promise<string | null> {
    const job = await this.deps.db.cronJob.findUnique({ where: { id: jobId }, include: JOB_INCLUDE });
    if (!job || this.running.has(job.id)) return null;
    return this.startRun(job, 'manual');
  }

  /** tick starts every due job once; exported for tests through `runDue`. */
  async runDue(): Promise<void> {
    const now = this.now();
    const due = await this.deps.db.cronJob.findMany({
      where: { enabled: true, nextRunAt: { lte: now } },
      include: JOB_INCLUDE,
      orderBy: { nextRunAt: 'asc' },
    });
    for (const job of due) {
      const parsed = parseCron(job.schedule);
      const next = parsed.ok ? nextRun(parsed.schedule, now) : null;
      await this.deps.db.cronJob.update({ where: { id: job.id }, data: { nextRunAt: next } });
      if (job.tenant.status !== 'active') continue;
      if (this.running.has(job.id)) {
        await this.record(job.id, job.tenantId, {
          trigger: 'schedule',
          status: 'skipped',
          message: 'The previous run was still going, so this one was skipped (runs never overlap).',
          finishedAt: now,
          durationMs: 0,
        });
        continue;
      }
      await this.startRun(job, 'schedule');
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.ticking) return this.schedule(1_000);
      this.ticking = this.runDue()
        .catch((err: unknown) => this.deps.logger.error({ err }, 'cron: looking for due jobs failed'))
        .finally(() => {
          this.ticking = null;
          if (!this.stopped) this.schedule(TICK_MS);
        });
    }, ms);
    this.timer.unref();
  }

  private async startRun(job: JobRow, trigger: 'schedule' | 'manual'): Promise<string> {
    this.running.add(job.id);
    const runId = await this.record(job.id, job.tenantId, { trigger, status: 'running' }).catch((err: unknown) => {
      this.running.delete(job.id);
      throw err;
    });
    const work = this.execute(job, runId)
      // The job was deleted meanwhile (its runs with it), or the database is gone: nothing left to record.
      .catch((err: unknown) => this.deps.logger.warn({ err, jobId: job.id }, 'cron: a run could not be recorded'))
      .finally(() => {
        this.running.delete(job.id);
        this.inFlight.delete(work);
      });
    this.inFlight.add(work);
    return runId;
  }

  private async execute(job: JobRow, runId: string): Promise<void> {
    const started = Date.now();
    const component = job.site.runtimeKind === 'php' ? `php-${job.site.runtimeVersion}` : `app-${job.siteId}`;
    try {
      const outcome = await this.deps.run({
        tenantId: job.tenantId,
        component,
        uid: job.tenant.uid,
        gid: job.tenant.uid,
        cwd: `${this.deps.sitesMount}/${job.siteId}`,
        command: job.command,
        timeoutMs: job.timeoutSeconds * 1000,
        maxOutputBytes: CRON_OUTPUT_MAX_BYTES,
      });
      await this.deps.db.cronRun.update({
        where: { id: runId },
        data: {
          status: outcome.timedOut ? 'timed-out' : outcome.exitCode === 0 ? 'succeeded' : 'failed',
          exitCode: outcome.exitCode,
          output: outcome.output,
          truncated: outcome.truncated,
          message: outcome.timedOut ? `Stopped after the job's timeout of ${job.timeoutSeconds} s.` : null,
          finishedAt: this.now(),
          durationMs: outcome.durationMs,
        },
      });
    } catch (err) {
      this.deps.logger.warn({ err, jobId: job.id, tenantId: job.tenantId }, 'cron: a run could not be started');
      await this.deps.db.cronRun.update({
        where: { id: runId },
        data: {
          status: 'failed',
          message: "The site's runtime is not running (is the site live?); the job will run again at its next time.",
          finishedAt: this.now(),
          durationMs: Date.now() - started,
        },
      });
    }
    await this.prune(job.id);
  }

  private async record(
    jobId: string,
    tenantId: string,
    data: { trigger: string; status: string; message?: string; finishedAt?: Date; durationMs?: number },
  ): Promise<string> {
    const id = newId();
    await this.deps.db.cronRun.create({ data: { id, jobId, tenantId, startedAt: this.now(), ...data } });
    if (data.status !== 'running') await this.prune(jobId);
    return id;
  }

  /** prune keeps a job's last CRON_RUNS_KEPT runs. */
  private async prune(jobId: string): Promise<void> {
    const old = await this.deps.db.cronRun.findMany({
      where: { jobId },
      orderBy: { startedAt: 'desc' },
      skip: CRON_RUNS_KEPT,
      select: { id: true },
    });
    if (old.length > 0) await this.deps.db.cronRun.deleteMany({ where: { id: { in: old.map((r) => r.id) } } });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import {
  minIntervalMinutes,
  nextRun,
  parseCron,
  type TCronJob,
  type TCronRun,
  type ZCreateCronJobRequest,
  type ZCronJobListQuery,
  type ZUpdateCronJobRequest,
} from '@berth/contracts';
import type { z } from 'zod';
import { actorOf, requireNotBilling, requireWrite, tenantScope, type RequestContext } from '../auth/principal.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { isUniqueViolation } from '../http/prisma-errors.js';
import type { CronPort, PortSlot } from '../ports.js';
import { LAST_RUN_INCLUDE, toCronJob, toCronRun } from '../records/cron.record.js';

const DEFAULT_TIMEOUT_SECONDS = 300;
const PORT_WAIT_MS = 20_000;

function fieldError(code: 'VALIDATION_FAILED' | 'SETTING_OUT_OF_BOUNDS', field: string, message: string): AppError {
  return new AppError(code, message, { details: { issues: [{ in: 'body', path: [field], message }] } });
}

/** nameTakenOr answers a job name the site already uses in words on its field, and rethrows anything else. */
function nameTakenOr(error: unknown): unknown {
  return isUniqueViolation(error)
    ? fieldError('VALIDATION_FAILED', 'name', 'This site already has a cron job with this name.')
    : error;
}

/** scheduleOf parses a schedule the route already validated, and holds it to the plan's least interval. */
function scheduleOf(expr: string, minMinutes: number) {
  const parsed = parseCron(expr);
  if (!parsed.ok) throw fieldError('VALIDATION_FAILED', 'schedule', parsed.message);
  const every = minIntervalMinutes(parsed.schedule);
  if (every < minMinutes) {
    throw fieldError(
      'SETTING_OUT_OF_BOUNDS',
      'schedule',
      `Your plan runs a job at most every ${minMinutes} minute(s); this schedule runs every ${every}. Try "*/${minMinutes} * * * *".`,
    );
  }
  return parsed.schedule;
}

/**
 * CronService keeps the tenants' cron jobs: a schedule (UTC, validated, no more often than the plan allows) and a
 * command run in the site's runtime container as the tenant's uid. The control plane's scheduler runs them
 * (CronPort) and keeps the last runs with their output.
 */
export class CronService {
  constructor(private readonly deps: { db: Db; port: PortSlot<CronPort> }) {}

  async list(ctx: RequestContext, query: z.output<typeof ZCronJobListQuery>): Promise<{ items: TCronJob[] }> {
    requireNotBilling(ctx.principal);
    const scoped = tenantScope(ctx.principal);
    if (scoped !== undefined && query.tenantId !== undefined && query.tenantId !== scoped) return { items: [] };
    const tenantId = scoped ?? query.tenantId;
    const rows = await this.deps.db.cronJob.findMany({
      where: { ...(tenantId !== undefined ? { tenantId } : {}), ...(query.siteId ? { siteId: query.siteId } : {}) },
      include: LAST_RUN_INCLUDE,
      orderBy: { createdAt: 'asc' },
    });
    return { items: rows.map(toCronJob) };
  }

  async get(ctx: RequestContext, id: string): Promise<TCronJob> {
    requireNotBilling(ctx.principal);
    return toCronJob(await this.findJob(ctx, id));
  }

  async create(ctx: RequestContext, input: z.output<typeof ZCreateCronJobRequest>): Promise<TCronJob> {
    requireWrite(ctx.principal);
    const site = await this.deps.db.site.findFirst({
      where: { id: input.siteId, tenantId: tenantScope(ctx.principal) },
      include: { tenant: { include: { plan: true, _count: { select: { cronJobs: true } } } } },
    });
    if (!site) throw notFound('Site');
    if (site.runtimeKind === 'static') {
      throw fieldError(
        'VALIDATION_FAILED',
        'siteId',
        'A static site has no runtime to run commands in; add the job to a PHP, Node.js or Python site.',
      );
    }
    const plan = site.tenant.plan;
    if (site.tenant._count.cronJobs >= plan.maxCronJobs) {
      throw new AppError(
        'PLAN_LIMIT_REACHED',
        `The plan allows ${plan.maxCronJobs} cron job(s); delete one or move to a larger plan.`,
      );
    }
    const schedule = scheduleOf(input.schedule, plan.cronMinIntervalMinutes);
    const enabled = input.enabled ?? true;
    try {
      const row = await this.deps.db.$transaction(async (tx) => {
        const created = await tx.cronJob.create({
          data: {
            id: newId(),
            tenantId: site.tenantId,
            siteId: site.id,
            name: input.name,
            schedule: input.schedule,
            command: input.command,
            timeoutSeconds: input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
            enabled,
            nextRunAt: enabled ? nextRun(schedule, new Date()) : null,
          },
          include: LAST_RUN_INCLUDE,
        });
        await recordEvent(tx, ctx, {
          action: 'cron.created',
          targetType: 'cron-job',
          targetId: created.id,
          tenantId: site.tenantId,
          details: { siteId: site.id, name: input.name, schedule: input.schedule },
        });
        return created;
      });
      this.deps.port.current?.wake();
      return toCronJob(row);
    } catch (error) {
      throw nameTakenOr(error);
    }
  }

  async update(ctx: RequestContext, id: string, input: z.output<typeof ZUpdateCronJobRequest>): Promise<TCronJob> {
    requireWrite(ctx.principal);
    const job = await this.findJob(ctx, id);
    const plan = (await this.deps.db.tenant.findUniqueOrThrow({ where: { id: job.tenantId }, include: { plan: true } }))
      .plan;
    const expr = input.schedule ?? job.schedule;
    const schedule = scheduleOf(expr, input.schedule !== undefined ? plan.cronMinIntervalMinutes : 0);
    const enabled = input.enabled ?? job.enabled;
    const changes: Record<string, unknown> = {};
    for (const key of ['name', 'schedule', 'command', 'timeoutSeconds', 'enabled'] as const) {
      if (input[key] !== undefined && input[key] !== job[key]) changes[key] = { from: job[key], to: input[key] };
    }
    try {
      const row = await this.deps.db.$transaction(async (tx) => {
        const updated = await tx.cronJob.update({
          where: { id },
          data: {
            ...input,
            nextRunAt: enabled ? nextRun(schedule, new Date()) : null,
          },
          include: LAST_RUN_INCLUDE,
        });
        await recordEvent(tx, ctx, {
          action: 'cron.updated',
          targetType: 'cron-job',
          targetId: id,
          tenantId: job.tenantId,
          details: { name: updated.name, changes },
        });
        return updated;
      });
      this.deps.port.current?.wake();
      return toCronJob(row);
    } catch (error) {
      throw nameTakenOr(error);
    }
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    requireWrite(ctx.principal);
    const job = await this.findJob(ctx, id);
    await this.deps.db.$transaction(async (tx) => {
      await tx.cronJob.delete({ where: { id } });
      await recordEvent(tx, ctx, {
        action: 'cron.deleted',
        targetType: 'cron-job',
        targetId: id,
        tenantId: job.tenantId,
        details: { name: job.name },
      });
    });
    this.deps.port.current?.wake();
  }

  /** runNow starts a run outside the schedule; a run still going is CRON_JOB_RUNNING (runs never overlap). */
  async runNow(ctx: RequestContext, id: string): Promise<TCronRun> {
    requireWrite(ctx.principal);
    const job = await this.findJob(ctx, id);
    const port = await this.deps.port.ready(PORT_WAIT_MS);
    if (!port) {
      throw new AppError(
        'RUNTIME_UNAVAILABLE',
        'Jobs cannot be run right now (the control plane is not running); try again shortly.',
      );
    }
    const runId = await port.runNow(job.id, actorOf(ctx.principal));
    if (!runId) throw new AppError('CRON_JOB_RUNNING', 'A run of this job is still going; wait for it to finish.');
    await this.deps.db.$transaction((tx) =>
      recordEvent(tx, ctx, {
        action: 'cron.run-requested',
        targetType: 'cron-job',
        targetId: id,
        tenantId: job.tenantId,
        details: { name: job.name, runId },
      }),
    );
    return toCronRun(await this.deps.db.cronRun.findUniqueOrThrow({ where: { id: runId } }));
  }

  async runs(ctx: RequestContext, id: string): Promise<{ items: TCronRun[] }> {
    requireNotBilling(ctx.principal);
    const job = await this.findJob(ctx, id);
    const rows = await this.deps.db.cronRun.findMany({ where: { jobId: job.id }, orderBy: { startedAt: 'desc' } });
    return { items: rows.map(toCronRun) };
  }

  private async findJob(ctx: RequestContext, id: string) {
    const job = await this.deps.db.cronJob.findFirst({
      where: { id, tenantId: tenantScope(ctx.principal) },
      include: LAST_RUN_INCLUDE,
    });
    if (!job) throw notFound('Cron job');
    return job;
  }
}

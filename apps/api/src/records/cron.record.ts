import type { CronJobModel, CronRunModel } from '@berth/db';
import { describeCron, parseCron, ZCronJob, ZCronRun, type TCronJob, type TCronRun } from '@berth/contracts';

/** toCronRun is the one reading of a CronRun row. */
export function toCronRun(row: CronRunModel): TCronRun {
  return ZCronRun.parse({
    id: row.id,
    trigger: row.trigger,
    status: row.status,
    exitCode: row.exitCode,
    output: row.output,
    truncated: row.truncated,
    message: row.message,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    durationMs: row.durationMs,
  });
}

/** toCronJob is the one reading of a CronJob row (with its last run when loaded). */
export function toCronJob(row: CronJobModel & { runs?: CronRunModel[] }): TCronJob {
  const parsed = parseCron(row.schedule);
  return ZCronJob.parse({
    id: row.id,
    tenantId: row.tenantId,
    siteId: row.siteId,
    name: row.name,
    schedule: row.schedule,
    description: parsed.ok ? describeCron(parsed.schedule) : row.schedule,
    command: row.command,
    timeoutSeconds: row.timeoutSeconds,
    enabled: row.enabled,
    nextRunAt: row.nextRunAt?.toISOString() ?? null,
    lastRun: row.runs?.[0] ? toCronRun(row.runs[0]) : null,
    createdAt: row.createdAt.toISOString(),
  });
}

/** LAST_RUN_INCLUDE loads a job's latest run with it. */
export const LAST_RUN_INCLUDE = { runs: { orderBy: { startedAt: 'desc' as const }, take: 1 } };

import { z } from 'zod';
import { ZDisplayName, ZId } from './common.js';
import { ZCronExpression } from './cron.js';

/** CRON_RUNS_KEPT is how many runs of a job are kept (with their output). */
export const CRON_RUNS_KEPT = 20;
/** CRON_OUTPUT_MAX_BYTES bounds the output kept of one run (its last bytes). */
export const CRON_OUTPUT_MAX_BYTES = 64 * 1024;

export const ZCronCommand = z
  .string()
  .trim()
  .min(1, 'Enter the command to run, e.g. "php artisan schedule:run".')
  .max(4096, 'A command is at most 4096 characters.')
  .refine(
    (c) => !c.includes('\u0000') && !c.includes('\n') && !c.includes('\r'),
    'Write the command on one line (use a script file for more).',
  );

export const ZCronTimeout = z
  .number()
  .int()
  .min(5, 'At least 5 seconds.')
  .max(86_400, 'At most 24 hours (86400 seconds).');

export const ZCreateCronJobRequest = z.strictObject({
  siteId: ZId,
  name: ZDisplayName,
  /** Five fields (minute hour day month weekday) or @hourly/@daily/@weekly/@monthly, in UTC. */
  schedule: ZCronExpression,
  command: ZCronCommand,
  timeoutSeconds: ZCronTimeout.optional(),
  enabled: z.boolean().optional(),
});
export type TCreateCronJobRequest = z.input<typeof ZCreateCronJobRequest>;

export const ZUpdateCronJobRequest = z
  .strictObject({
    name: ZDisplayName,
    schedule: ZCronExpression,
    command: ZCronCommand,
    timeoutSeconds: ZCronTimeout,
    enabled: z.boolean(),
  })
  .partial();

export const CRON_RUN_STATUSES = ['running', 'succeeded', 'failed', 'timed-out', 'skipped'] as const;

export const ZCronRun = z.object({
  id: ZId,
  trigger: z.enum(['schedule', 'manual']),
  status: z.enum(CRON_RUN_STATUSES),
  exitCode: z.number().int().nullable(),
  output: z.string(),
  truncated: z.boolean(),
  message: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
});
export type TCronRun = z.infer<typeof ZCronRun>;

export const ZCronJob = z.object({
  id: ZId,
  tenantId: ZId,
  siteId: ZId,
  name: z.string(),
  schedule: z.string(),
  /** The schedule in words, e.g. "every 15 minutes". */
  description: z.string(),
  command: z.string(),
  timeoutSeconds: z.number().int(),
  enabled: z.boolean(),
  nextRunAt: z.string().nullable(),
  lastRun: ZCronRun.nullable(),
  createdAt: z.string(),
});
export type TCronJob = z.infer<typeof ZCronJob>;

export const ZCronJobList = z.object({ items: z.array(ZCronJob) });
export const ZCronJobListQuery = z.strictObject({ siteId: ZId.optional(), tenantId: ZId.optional() });
export const ZCronRunList = z.object({ items: z.array(ZCronRun) });

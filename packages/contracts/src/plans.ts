import { z } from 'zod';
import { ZDisplayName, ZId } from './common.js';
import { ZEgressAllow } from './egress.js';
import { PHP_VERSIONS, ZPhpVersion } from './runtimes.js';

/** BACKUP_SCHEDULES are how often a plan's tenants are backed up on their own. */
export const BACKUP_SCHEDULES = ['off', 'daily', 'weekly'] as const;
export type TBackupSchedule = (typeof BACKUP_SCHEDULES)[number];

const limits = {
  maxSites: z.number().int().min(1).max(10_000),
  maxDomains: z.number().int().min(1).max(100_000),
  cpuMillicores: z.number().int().min(100, 'At least 100 millicores (0.1 CPU).').max(64_000),
  memoryMb: z.number().int().min(64, 'At least 64 MB.').max(262_144),
  diskMb: z.number().int().min(100).max(10_000_000),
  bandwidthGb: z.number().int().min(1).max(1_000_000),
  pidsLimit: z.number().int().min(32).max(32_768),
  phpVersions: z.array(ZPhpVersion).min(1, 'Allow at least one PHP version.').max(PHP_VERSIONS.length),
  phpMaxMemoryMb: z.number().int().min(32).max(8_192),
  phpMaxUploadMb: z.number().int().min(1).max(10_240),
  phpMaxExecSeconds: z.number().int().min(5).max(3_600),
  /** Destinations (`CIDR` or `CIDR:port`) the plan's tenants may reach although the default egress rules deny them. */
  egressAllow: ZEgressAllow.optional(),
  /** Databases (MariaDB and PostgreSQL together) a tenant may have; 5 when omitted. */
  maxDatabases: z.number().int().min(0).max(10_000).optional(),
  /** Connections one database user may hold at once; 15 when omitted. */
  dbMaxConnections: z.number().int().min(1, 'At least 1 connection.').max(1_000).optional(),
  /** When the tenants' scheduled backups run (at BERTH_BACKUP_HOUR, UTC); daily when omitted. */
  backupSchedule: z.enum(BACKUP_SCHEDULES).optional(),
  /** Daily and weekly snapshots kept per tenant; 7 and 4 when omitted. */
  backupKeepDaily: z.number().int().min(0).max(366).optional(),
  backupKeepWeekly: z.number().int().min(0).max(520).optional(),
  /** Cron jobs a tenant may have (10 when omitted), and the least number of minutes between two runs of one (5). */
  maxCronJobs: z.number().int().min(0).max(1_000).optional(),
  cronMinIntervalMinutes: z.number().int().min(1, 'At least 1 minute.').max(1_440).optional(),
};

export const ZCreatePlanRequest = z.strictObject({ name: ZDisplayName, ...limits });
export type TCreatePlanRequest = z.input<typeof ZCreatePlanRequest>;

export const ZUpdatePlanRequest = z.strictObject({ name: ZDisplayName, ...limits }).partial();
export type TUpdatePlanRequest = z.input<typeof ZUpdatePlanRequest>;

export const ZPlan = z.object({
  id: ZId,
  name: z.string(),
  maxSites: z.number(),
  maxDomains: z.number(),
  cpuMillicores: z.number(),
  memoryMb: z.number(),
  diskMb: z.number(),
  bandwidthGb: z.number(),
  pidsLimit: z.number(),
  phpVersions: z.array(z.string()),
  phpMaxMemoryMb: z.number(),
  phpMaxUploadMb: z.number(),
  phpMaxExecSeconds: z.number(),
  egressAllow: z.array(z.string()),
  maxDatabases: z.number(),
  dbMaxConnections: z.number(),
  backupSchedule: z.enum(BACKUP_SCHEDULES),
  backupKeepDaily: z.number(),
  backupKeepWeekly: z.number(),
  maxCronJobs: z.number(),
  cronMinIntervalMinutes: z.number(),
  tenantCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TPlan = z.infer<typeof ZPlan>;

import { z } from 'zod';
import { ZId } from './common.js';
import { ZDatabaseEngine } from './databases.js';

export const BACKUP_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export const ZBackupStatus = z.enum(BACKUP_STATUSES);

/** ZBackup is one backup of a tenant: a restic snapshot of its site files, database dumps and panel records. */
export const ZBackup = z.object({
  id: ZId,
  tenantId: ZId,
  tenantSlug: z.string(),
  trigger: z.enum(['scheduled', 'manual']),
  status: ZBackupStatus,
  /** Why it failed, in words (null otherwise). */
  message: z.string().nullable(),
  snapshotId: z.string().nullable(),
  /** What the snapshot holds. */
  contents: z.object({
    sites: z.array(z.object({ id: ZId, name: z.string() })),
    databases: z.array(z.object({ id: ZId, engine: ZDatabaseEngine, name: z.string() })),
  }),
  /** Bytes the snapshot restores to, and bytes this backup added to the repository (deduplicated). */
  sizeBytes: z.number().int().nullable(),
  addedBytes: z.number().int().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** When retention removed its snapshot: it can no longer be restored. */
  forgottenAt: z.string().nullable(),
});
export type TBackup = z.infer<typeof ZBackup>;

export const ZBackupList = z.object({ items: z.array(ZBackup) });

export const ZTenantBackupParams = z.strictObject({ id: ZId, backupId: ZId });

/**
 * ZSnapshotPath is a path inside a snapshot as the console shows it: `sites/<siteId>/public/index.php`,
 * `databases`, `panel/records.json`. Relative, normalised, no `..`.
 */
export const ZSnapshotPath = z
  .string()
  .max(4096, 'A path is at most 4096 characters.')
  .refine((p) => !p.includes('\u0000'), 'A path cannot contain NUL.')
  .refine(
    (p) => p === '' || p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..'),
    'Use a relative path without "..", e.g. "sites/<site id>/public/index.php".',
  );

export const ZSnapshotBrowseQuery = z.strictObject({ path: ZSnapshotPath.default('') });

export const ZSnapshotEntry = z.object({
  /** Relative to the snapshot's root, e.g. `sites/<siteId>/public/index.php`. */
  path: z.string(),
  name: z.string(),
  type: z.enum(['file', 'dir', 'symlink', 'other']),
  size: z.number().int().nullable(),
  mtime: z.string().nullable(),
});
export const ZSnapshotListing = z.object({ path: z.string(), entries: z.array(ZSnapshotEntry) });
export type TSnapshotListing = z.infer<typeof ZSnapshotListing>;

/**
 * ZRestoreRequest says what to restore from a backup:
 * - `tenant`: every site's files and every database in the snapshot (an administrator may restore a
 *   terminated tenant this way: its account, sites, domains and databases are made again first);
 * - `site`: one site's files, swapped in at once (visitors see the old files until the new ones are complete);
 * - `database`: one database, emptied and loaded from the snapshot's dump;
 * - `path`: one file or folder of a site, put back in place (overwriting what is there now).
 */
export const ZRestoreRequest = z.discriminatedUnion('scope', [
  z.strictObject({ scope: z.literal('tenant') }),
  z.strictObject({ scope: z.literal('site'), siteId: ZId }),
  z.strictObject({ scope: z.literal('database'), databaseId: ZId }),
  z.strictObject({
    scope: z.literal('path'),
    siteId: ZId,
    /** Relative to the site's folder, e.g. `public/index.php` or `public/images`. */
    path: ZSnapshotPath.refine((p) => p !== '', 'Name the file or folder to put back.'),
  }),
]);
export type TRestoreRequest = z.input<typeof ZRestoreRequest>;

export const ZRestore = z.object({
  id: ZId,
  tenantId: ZId,
  backupId: ZId,
  scope: z.enum(['tenant', 'site', 'database', 'path']),
  target: z.object({
    siteId: ZId.optional(),
    databaseId: ZId.optional(),
    path: z.string().optional(),
    /** A terminated tenant made again from the backup's records: what could not be (names taken meanwhile). */
    skipped: z.string().optional(),
  }),
  status: ZBackupStatus,
  message: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type TRestore = z.infer<typeof ZRestore>;
export const ZRestoreList = z.object({ items: z.array(ZRestore) });

/** ZBackupAllResult is an administrator's "back up everything": one queued backup per active tenant. */
export const ZBackupAllResult = z.object({ queued: z.number().int() });

/** ZTerminatedTenants lists terminated tenants whose backups are still kept (administrators restore them). */
export const ZTerminatedTenants = z.object({
  items: z.array(
    z.object({
      tenantId: ZId,
      tenantSlug: z.string(),
      /** The newest restorable backup, and how many are kept. */
      lastBackupAt: z.string(),
      backups: z.number().int(),
    }),
  ),
});
export type TTerminatedTenants = z.infer<typeof ZTerminatedTenants>;

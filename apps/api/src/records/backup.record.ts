import type { BackupModel, RestoreModel } from '@berth/db';
import { ZBackup, ZRestore, type TBackup, type TRestore } from '@berth/contracts';

/** BackupContents is what a snapshot holds, as Backup.contents stores it. */
export interface BackupContents {
  sites: { id: string; name: string }[];
  databases: { id: string; engine: 'mariadb' | 'postgresql'; name: string }[];
}

/** contentsOf reads Backup.contents (written only by the backup worker); anything unreadable is "nothing". */
export function contentsOf(text: string): BackupContents {
  try {
    const value = JSON.parse(text) as Partial<BackupContents>;
    return { sites: value.sites ?? [], databases: value.databases ?? [] };
  } catch {
    return { sites: [], databases: [] };
  }
}

const iso = (d: Date | null) => d?.toISOString() ?? null;
const int = (n: bigint | null) => (n === null ? null : Number(n));

/** toBackup is the one reading of a Backup row. */
export function toBackup(row: BackupModel): TBackup {
  return ZBackup.parse({
    id: row.id,
    tenantId: row.tenantId,
    tenantSlug: row.tenantSlug,
    trigger: row.trigger,
    status: row.status,
    message: row.message,
    snapshotId: row.snapshotId,
    contents: contentsOf(row.contents),
    sizeBytes: int(row.sizeBytes),
    addedBytes: int(row.addedBytes),
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    forgottenAt: iso(row.forgottenAt),
  });
}

/** RestoreTarget is Restore.target: what of the snapshot is restored. */
export interface RestoreTarget {
  siteId?: string;
  databaseId?: string;
  path?: string;
}

export function targetOf(text: string): RestoreTarget {
  try {
    return JSON.parse(text) as RestoreTarget;
  } catch {
    return {};
  }
}

/** toRestore is the one reading of a Restore row. */
export function toRestore(row: RestoreModel): TRestore {
  return ZRestore.parse({
    id: row.id,
    tenantId: row.tenantId,
    backupId: row.backupId,
    scope: row.scope,
    target: targetOf(row.target),
    status: row.status,
    message: row.message,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
  });
}

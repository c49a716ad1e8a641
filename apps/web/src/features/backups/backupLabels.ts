import type { TBackup, TRestore } from '@berth/contracts';
import { formatDate } from '../../ui/dates';

type TStatus = TBackup['status'];

/** STATUS_LABELS say a backup's or restore's status in words (a badge's colour is never the only signal). */
export const STATUS_LABELS: Record<TStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
};

export const STATUS_COLORS: Record<TStatus, string> = {
  queued: 'gray',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
};

export const TRIGGER_LABELS: Record<TBackup['trigger'], string> = {
  scheduled: 'Scheduled',
  manual: 'Manual',
};

const UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

/**
 * formatBytes says a size in the largest 1024-based unit under which it stays at least 1 ("3.2 MB", "812 B").
 * The same rule as the Databases view's sizes; a feature does not import another, so it is repeated here.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** contentsSummary says what a backup holds in a few words: "2 sites, 1 database". */
export function contentsSummary(contents: TBackup['contents']): string {
  return `${count(contents.sites.length, 'site', 'sites')}, ${count(contents.databases.length, 'database', 'databases')}`;
}

/** isRestorable: only a backup that succeeded and whose snapshot retention has not removed can be restored. */
export function isRestorable(backup: TBackup): boolean {
  return backup.status === 'succeeded' && backup.snapshotId !== null && backup.forgottenAt === null;
}

/** backupTime is the moment a backup is named by in the console: when it was asked for. */
export function backupTime(backup: Pick<TBackup, 'createdAt'>): string {
  return formatDate(backup.createdAt);
}

type TSite = TBackup['contents']['sites'][number];
type TDatabase = TBackup['contents']['databases'][number];

/** RestoreTarget is what a restore overwrites, with the names a person reads. */
export type RestoreTarget =
  | { scope: 'tenant' }
  | { scope: 'site'; site: TSite }
  | { scope: 'database'; database: TDatabase }
  | { scope: 'path'; site: TSite; path: string; folder: boolean };

/** restoreConsequence says, before a restore, exactly what it overwrites and what visitors notice meanwhile. */
export function restoreConsequence(backup: TBackup, target: RestoreTarget): string {
  const when = backupTime(backup);
  switch (target.scope) {
    case 'tenant':
      return (
        `The files of every site and every database in this backup (${contentsSummary(backup.contents)}) will be ` +
        `replaced by those of ${when}; changes made since then are lost. Visitors see the old files until the ` +
        'restore completes.'
      );
    case 'site':
      return (
        `The files of site ${target.site.name} will be replaced by those of ${when}; changes made since then are ` +
        'lost. Visitors see the old files until the restore completes.'
      );
    case 'database':
      return (
        `The database ${target.database.name} will be emptied and loaded with its contents of ${when}; changes ` +
        'made since then are lost, and apps using it may see errors until the restore completes.'
      );
    case 'path':
      return (
        `The ${target.folder ? 'folder' : 'file'} ${target.path} of site ${target.site.name} will be replaced by ` +
        `its copy of ${when}. The rest of the site stays as it is.`
      );
  }
}

/** restoreRequest is the API body of a restore target. */
export function restoreRequest(target: RestoreTarget) {
  switch (target.scope) {
    case 'tenant':
      return { scope: 'tenant' } as const;
    case 'site':
      return { scope: 'site', siteId: target.site.id } as const;
    case 'database':
      return { scope: 'database', databaseId: target.database.id } as const;
    case 'path':
      return { scope: 'path', siteId: target.site.id, path: target.path } as const;
  }
}

/**
 * restoreWhat names what a listed restore put back, with the names the backup recorded: "Whole account",
 * "Site www", "Database shop_blog", "public/index.php of site www".
 */
export function restoreWhat(restore: TRestore, backup: TBackup | undefined): string {
  const site = backup?.contents.sites.find((s) => s.id === restore.target.siteId);
  const siteName = site?.name ?? restore.target.siteId ?? 'a site';
  switch (restore.scope) {
    case 'tenant':
      return 'Whole account';
    case 'site':
      return `Site ${siteName}`;
    case 'database': {
      const database = backup?.contents.databases.find((d) => d.id === restore.target.databaseId);
      return `Database ${database?.name ?? restore.target.databaseId ?? ''}`.trim();
    }
    case 'path':
      return `${restore.target.path ?? ''} of site ${siteName}`;
  }
}

/** SITE_PREFIX is where a snapshot keeps each site's files: `sites/<siteId>/…`. */
const SITE_PREFIX = 'sites/';

/**
 * siteOfPath splits a snapshot path inside a site's folder into the site and the path relative to it
 * (`sites/abc/public/x.php` → abc, `public/x.php`); anything else (the site folder itself, databases, panel)
 * is not something "put back" restores.
 */
export function siteOfPath(path: string): { siteId: string; rest: string } | null {
  if (!path.startsWith(SITE_PREFIX)) return null;
  const [siteId, ...rest] = path.slice(SITE_PREFIX.length).split('/');
  if (!siteId || rest.length === 0) return null;
  return { siteId, rest: rest.join('/') };
}

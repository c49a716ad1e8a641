import { isAbsolute, normalize, posix } from 'node:path';
import { RuntimeError } from '../errors.js';
import { assertSlug } from '../inputs.guard.js';

// Pure pieces of tenant backups with restic: argument lists for the berth/restic image, the checks every value
// passes before it reaches one, and the readers of restic 0.14's JSON. operations/backup.ts runs them.

/** RESTIC_MOUNTS are where berth/restic expects what the runtime binds (see docker/images/restic/Dockerfile). */
export const RESTIC_MOUNTS = {
  repo: '/repo',
  cache: '/cache',
  key: '/run/berth-restic/key',
  data: '/data',
  sites: '/data/sites',
  restoreTarget: '/restore',
} as const;

/** BACKUP_TAG is on every snapshot Berth makes; snapshots without it are not Berth's and are never listed. */
export const BACKUP_TAG = 'berth';

/** tenantTag is the tag naming a snapshot's tenant (`tenant=<id>`); its restic host is the tenant id too. */
export function tenantTag(tenantId: string): string {
  return `tenant=${assertSlug(tenantId, 'tenant id')}`;
}

/**
 * STAGING_EXCLUDES keep the restore scripts' staging and trash dirs (mktemp's ten random characters) out of
 * every snapshot: a backup that overlaps a restore must not save half a site twice.
 */
export const STAGING_EXCLUDES = ['.berth-restore-??????????', '.berth-trash-??????????'] as const;

function invalid(what: string, value: unknown, why: string): never {
  throw new RuntimeError('INVALID_INPUT', `Invalid ${what} ${JSON.stringify(value)}: ${why}.`, {
    details: { what },
  });
}

/** hasControl says whether text holds a C0 control character or DEL (NUL and newlines included). */
function hasControl(text: string): boolean {
  return [...text].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f');
}

/** assertSnapshotId accepts a restic snapshot id: its 64 hex characters or a unique prefix of at least 8. */
export function assertSnapshotId(value: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{8,64}$/.test(value))
    invalid('snapshot id', value, 'use the 8–64 hex characters restic shows');
  return value;
}

const EXTRA_NAME_RE = /^[a-z][a-z0-9-]{0,31}$/;
/** Names an extra may not take: `/data/sites` is the tenant's files. */
const RESERVED_EXTRA_NAMES = ['sites'];

/** assertExtraName accepts the name of an extra folder of a snapshot (`databases` → `/data/databases`). */
export function assertExtraName(value: string): string {
  if (typeof value !== 'string' || !EXTRA_NAME_RE.test(value))
    invalid('backup folder name', value, 'use 1–32 of a–z, 0–9 and -, a letter first');
  if (RESERVED_EXTRA_NAMES.includes(value)) invalid('backup folder name', value, 'that name is the sites folder');
  return value;
}

/**
 * assertHostDir accepts an absolute, normalised host path without control characters (it becomes a bind
 * source, where `:` would end the path and a `,` the options).
 */
export function assertHostDir(value: string, what: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 4096 || !isAbsolute(value))
    invalid(what, value, 'use an absolute path');
  if (hasControl(value) || /[:,]/.test(value)) invalid(what, value, 'it must not hold control characters, : or ,');
  if (value !== '/' && (normalize(value) !== value || value.endsWith('/')))
    invalid(what, value, 'use the normalised path (no //, ., .. or trailing /)');
  return value;
}

/** isWithin says whether `path` is `dir` or below it (both absolute and normalised). */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

const TAG_RE = /^[a-z0-9][a-z0-9=._:-]{0,63}$/;

/** assertBackupTag accepts a caller's tag: no comma (restic splits on it), no `tenant=` (the runtime's). */
export function assertBackupTag(value: string): string {
  if (typeof value !== 'string' || !TAG_RE.test(value))
    invalid('backup tag', value, 'use 1–64 of a–z, 0–9 and = . _ : -, a letter or digit first');
  if (value === BACKUP_TAG || value.startsWith('tenant=')) invalid('backup tag', value, 'the runtime sets that tag');
  return value;
}

/**
 * assertRestorePath accepts a path relative to a site's folder (`public/index.php`): non-empty, normalised, no
 * `.`/`..`/empty segment, no leading or trailing `/`, no control character. Returned as is.
 */
export function assertRestorePath(value: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 4096) invalid('path', value, 'name a file or folder');
  if (hasControl(value)) invalid('path', value, 'it must not hold control characters');
  if (value.startsWith('/') || value.endsWith('/')) invalid('path', value, 'use a path relative to the site folder');
  if (value.split('/').some((s) => s === '' || s === '.' || s === '..'))
    invalid('path', value, 'use a plain path without empty, . or .. segments');
  return value;
}

/**
 * assertSnapshotPath accepts an absolute path inside a snapshot (`/data/sites/blog/public`): normalised, below
 * `/data`, no control character.
 */
export function assertSnapshotPath(value: string): string {
  if (typeof value !== 'string' || value.length > 4096 || !value.startsWith('/'))
    invalid('snapshot path', value, 'use an absolute path such as /data/sites/<site>');
  if (hasControl(value)) invalid('snapshot path', value, 'it must not hold control characters');
  if (posix.normalize(value) !== value || (value.length > 1 && value.endsWith('/')))
    invalid('snapshot path', value, 'use the normalised path (no //, ., .. or trailing /)');
  if (!isWithin(value, RESTIC_MOUNTS.data)) invalid('snapshot path', value, 'Berth snapshots hold /data only');
  return value;
}

/** resticPattern quotes a path as a restic include pattern that matches only itself (Go's filepath.Match). */
export function resticPattern(path: string): string {
  return path.replace(/[[\]\\*?]/g, (c) => `\\${c}`);
}

/**
 * resticTime formats a date the way `restic backup --time` reads it (`2006-01-02 15:04:05`, in the container's
 * TZ, which the runtime sets to UTC): the snapshot's time is then known before restic runs.
 */
export function resticTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** BackupArgs are the inputs of one `restic backup` of a tenant. */
export interface BackupArgs {
  tenantId: string;
  /** Names of extra folders bound at `/data/<name>`. */
  extraNames: string[];
  tags: string[];
  time: Date;
}

/**
 * backupArgs is the command line of one tenant backup: host = tenant (restic's parent is the tenant's latest
 * snapshot of the same paths, so unchanged files are not read again), tags `berth`, `tenant=<id>` and the
 * caller's, the fixed snapshot time, `--one-file-system` (each bind is one filesystem, and nothing mounted
 * below the tenant's files is read), the staging dirs excluded, and the paths `/data/sites` plus each extra.
 * Symbolic links are stored as links (restic's default; it never follows one below a path it is given).
 */
export function backupArgs(args: BackupArgs): string[] {
  const tenantId = assertSlug(args.tenantId, 'tenant id');
  const names = args.extraNames.map(assertExtraName);
  if (new Set(names).size !== names.length) invalid('backup folder names', names, 'a name is given twice');
  const tags = [...new Set(args.tags.map(assertBackupTag))];
  return [
    'restic',
    'backup',
    '--json',
    '--host',
    tenantId,
    '--tag',
    BACKUP_TAG,
    '--tag',
    tenantTag(tenantId),
    ...tags.flatMap((t) => ['--tag', t]),
    '--time',
    resticTime(args.time),
    '--one-file-system',
    ...STAGING_EXCLUDES.flatMap((p) => ['--exclude', p]),
    RESTIC_MOUNTS.sites,
    ...[...names].sort().map((n) => `${RESTIC_MOUNTS.data}/${n}`),
  ];
}

/** RetentionPolicy is how many snapshots forget keeps: the last n, and the newest of each of n days/weeks/months. */
export interface RetentionPolicy {
  last?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
}

/** retentionFlags turns a policy into restic's `--keep-*` flags; at least one count must be positive. */
export function retentionFlags(keep: RetentionPolicy): string[] {
  const flags: string[] = [];
  for (const key of ['last', 'daily', 'weekly', 'monthly'] as const) {
    const n = keep?.[key];
    if (n === undefined) continue;
    if (!Number.isInteger(n) || n < 0 || n > 10_000) invalid(`keep.${key}`, n, 'use a whole number 0–10000');
    if (n > 0) flags.push(`--keep-${key}`, String(n));
  }
  if (flags.length === 0)
    invalid('retention policy', keep, 'keep at least one snapshot (last, daily, weekly or monthly)');
  return flags;
}

/**
 * forgetArgs is `restic forget` of Berth's snapshots under a policy, grouped by host only (a tenant's snapshots
 * with and without extra folders form one history), for one tenant or, without `tenantId`, each tenant apart.
 */
export function forgetArgs(args: { tenantId?: string; keep: RetentionPolicy }): string[] {
  const flags = retentionFlags(args.keep);
  const tag =
    args.tenantId === undefined ? BACKUP_TAG : `${BACKUP_TAG},${tenantTag(assertSlug(args.tenantId, 'tenant id'))}`;
  const host = args.tenantId === undefined ? [] : ['--host', args.tenantId];
  return ['restic', 'forget', '--json', '--tag', tag, '--group-by', 'host', ...host, ...flags];
}

/** BackupSummary is restic's `summary` message of `backup --json`. */
export interface BackupSummary {
  snapshotId: string;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dataAddedBytes: number;
  totalBytes: number;
  durationMs: number;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function jsonLines(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{') && !t.startsWith('[')) continue;
    try {
      out.push(JSON.parse(t));
    } catch {
      // A progress line cut by the output limit, or text restic printed beside its JSON.
    }
  }
  return out;
}

/**
 * parseBackupSummary reads the last `summary` line of `restic backup --json`:
 *   {"message_type":"summary","files_new":3,"files_changed":0,"files_unmodified":0,…,"data_added":3471,
 *    "total_files_processed":3,"total_bytes_processed":10,"total_duration":0.22,"snapshot_id":"eaba7900"}
 * undefined when there is none (restic failed before it saved a snapshot).
 */
export function parseBackupSummary(stdout: string): BackupSummary | undefined {
  let found: BackupSummary | undefined;
  for (const m of jsonLines(stdout)) {
    const o = m as Record<string, unknown>;
    if (o?.message_type !== 'summary' || typeof o.snapshot_id !== 'string' || !/^[0-9a-f]{8,64}$/.test(o.snapshot_id))
      continue;
    found = {
      snapshotId: o.snapshot_id,
      filesNew: num(o.files_new),
      filesChanged: num(o.files_changed),
      filesUnmodified: num(o.files_unmodified),
      dataAddedBytes: num(o.data_added),
      totalBytes: num(o.total_bytes_processed),
      durationMs: Math.round(num(o.total_duration) * 1000),
    };
  }
  return found;
}

/**
 * parseBackupErrors reads the per-file errors of `restic backup --json` (stderr):
 *   {"message_type":"error","error":{"Op":"open","Path":"/data/sites/a/x","Err":13},"during":"archival","item":"/data/sites/a/x"}
 * as `<item>: <during>` lines (restic's JSON error bodies are Go structs, not messages).
 */
export function parseBackupErrors(stderr: string): string[] {
  const out: string[] = [];
  for (const m of jsonLines(stderr)) {
    const o = m as Record<string, unknown>;
    if (o?.message_type === 'error') out.push(`${String(o.item ?? '?')}: ${String(o.during ?? 'error')}`);
  }
  return out;
}

/** SnapshotInfo is one of Berth's snapshots. */
export interface SnapshotInfo {
  id: string;
  shortId: string;
  /** ISO 8601, as restic stores it. */
  time: string;
  tenantId: string;
  /** Every tag, `berth` and `tenant=…` included. */
  tags: string[];
  paths: string[];
  hostname: string;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

/** toSnapshotInfo reads one snapshot object of restic's JSON; undefined unless it is Berth's (tag and tenant). */
function toSnapshotInfo(o: Record<string, unknown>): SnapshotInfo | undefined {
  if (typeof o.id !== 'string' || typeof o.time !== 'string') return undefined;
  const tags = strings(o.tags);
  if (!tags.includes(BACKUP_TAG)) return undefined;
  const tenantId = tags.find((t) => t.startsWith('tenant='))?.slice('tenant='.length);
  const hostname = typeof o.hostname === 'string' ? o.hostname : '';
  if (!tenantId || tenantId !== hostname) return undefined;
  return {
    id: o.id,
    shortId: typeof o.short_id === 'string' ? o.short_id : o.id.slice(0, 8),
    time: o.time,
    tenantId,
    tags,
    paths: strings(o.paths),
    hostname,
  };
}

/**
 * parseSnapshots reads `restic snapshots --json` (one JSON array; extra fields ignored), keeps Berth's
 * snapshots (tag `berth`, a `tenant=` tag equal to the host) and sorts them oldest first.
 */
export function parseSnapshots(stdout: string): SnapshotInfo[] {
  const text = stdout.trim();
  if (text === '' || text === 'null') return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new RuntimeError('CONTAINER_FAILED', 'restic listed snapshots in a form Berth cannot read.', { cause });
  }
  if (!Array.isArray(data)) return [];
  return data
    .map((o) => (o && typeof o === 'object' ? toSnapshotInfo(o as Record<string, unknown>) : undefined))
    .filter((s): s is SnapshotInfo => s !== undefined)
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** SnapshotEntry is one entry of a folder in a snapshot (a file browser's row). */
export interface SnapshotEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  mtime: string;
}

/** SnapshotListing is what `restic ls --json <snapshot> <path>` said about one path. */
export interface SnapshotListing {
  /** The snapshot's own line (hostname, tags…), as SnapshotInfo when it is Berth's. */
  snapshot: SnapshotInfo | undefined;
  /** The entry at the path itself; undefined when the snapshot has no such path. */
  self: SnapshotEntry | undefined;
  /** Its direct entries when it is a folder (sorted by path); devices, pipes and sockets are left out. */
  entries: SnapshotEntry[];
}

function toEntry(o: Record<string, unknown>): SnapshotEntry | undefined {
  if (typeof o.path !== 'string') return undefined;
  if (o.type !== 'file' && o.type !== 'dir' && o.type !== 'symlink') return undefined;
  return { path: o.path, type: o.type, size: o.type === 'file' ? num(o.size) : 0, mtime: String(o.mtime ?? '') };
}

/**
 * parseLsOutput reads `restic ls --json <snapshot> <path>`: the snapshot's line first, then one node per line:
 *   {"name":"s1","type":"dir","path":"/data/sites/s1","uid":0,"mode":2147484141,"mtime":"…","struct_type":"node"}
 * restic prints the path itself and, for a folder, its direct entries.
 */
export function parseLsOutput(stdout: string, path: string): SnapshotListing {
  let snapshot: SnapshotInfo | undefined;
  let self: SnapshotEntry | undefined;
  const entries: SnapshotEntry[] = [];
  const prefix = path === '/' ? '/' : `${path}/`;
  for (const m of jsonLines(stdout)) {
    const o = m as Record<string, unknown>;
    if (o?.struct_type === 'snapshot') snapshot = toSnapshotInfo(o);
    if (o?.struct_type !== 'node') continue;
    const entry = toEntry(o);
    if (!entry) continue;
    if (entry.path === path) self = entry;
    else if (entry.path.startsWith(prefix) && !entry.path.slice(prefix.length).includes('/')) entries.push(entry);
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { snapshot, self, entries: self?.type === 'dir' ? entries : [] };
}

/** ResticStats is `restic stats --json`: bytes and files of the chosen mode. */
export interface ResticStats {
  totalSize: number;
  totalFileCount: number;
  snapshotsCount: number;
}

/** parseStats reads `restic stats --json`: {"total_size":2049,"total_file_count":0,"total_blob_count":10,"snapshots_count":1}. */
export function parseStats(stdout: string): ResticStats {
  const o = jsonLines(stdout).at(-1) as Record<string, unknown> | undefined;
  if (!o || typeof o.total_size !== 'number')
    throw new RuntimeError('CONTAINER_FAILED', 'restic reported statistics in a form Berth cannot read.');
  return {
    totalSize: num(o.total_size),
    totalFileCount: num(o.total_file_count),
    snapshotsCount: num(o.snapshots_count),
  };
}

/**
 * parseForgetOutput reads `restic forget --json`: one group per host,
 *   [{"host":"t1","paths":[…],"keep":[…],"remove":[{"id":"…",…}] | null,"reasons":[…]}]
 * and returns the full ids of the snapshots removed.
 */
export function parseForgetOutput(stdout: string): string[] {
  const removed: string[] = [];
  for (const m of jsonLines(stdout)) {
    if (!Array.isArray(m)) continue;
    for (const group of m as Record<string, unknown>[]) {
      const remove = Array.isArray(group?.remove) ? (group.remove as Record<string, unknown>[]) : [];
      for (const s of remove) if (typeof s?.id === 'string') removed.push(s.id);
    }
  }
  return removed;
}

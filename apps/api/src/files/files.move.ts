import { constants, type Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { TFileEntry } from '@berth/contracts';
import { AppError, notFound } from '../errors.js';
import { type DocumentRoot, isErrno, pathConflict, type Dir } from './files.docroot.js';
import { toEntry } from './files.listing.js';

const HANDLE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** fileExists is FILE_EXISTS naming what is in the way (the first few paths in `details.paths`). */
export function fileExists(paths: readonly string[], message: string): AppError {
  return new AppError('FILE_EXISTS', message, { details: { paths: paths.slice(0, 10) } });
}

/** EntryType is what a move or a permission change acts on (the entry itself; a link is never followed at the end). */
export type EntryType = 'file' | 'directory' | 'symlink';

function typeOf(stats: Stats): EntryType | null {
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFile()) return 'file';
  return null;
}

/** Source is an entry resolved for a move: its real folder and its own name there (a link is the link). */
interface Source {
  dir: Dir;
  name: string;
  type: EntryType;
  stats: Stats;
}

async function resolveSource(root: DocumentRoot, segments: readonly string[], text: string): Promise<Source> {
  if (segments.length === 0) throw pathConflict('The document root itself cannot be moved or renamed.');
  const walked = await root.walk(segments.slice(0, -1));
  if ('notDirectory' in walked || walked.missing.length > 0) throw notFound('File');
  const name = segments[segments.length - 1]!;
  let stats: Stats;
  try {
    stats = await fs.lstat(walked.dir.entry(name));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) throw notFound('File');
    throw error;
  }
  // Like delete: a link is moved as itself, and only a link that stays inside the root is touched at all.
  if (stats.isSymbolicLink()) await root.checkLink(walked.dir, name);
  const type = typeOf(stats);
  if (!type) throw pathConflict(`"${text}" is a special file and cannot be moved.`);
  return { dir: walked.dir, name, type, stats };
}

/**
 * MovePlan is a checked move, ready to be made: `apply` makes the missing folders of the target and renames
 * the entry (it is called inside the transaction that records the event), `entry` describes the result.
 */
export interface MovePlan {
  type: EntryType;
  replaced: boolean;
  apply: () => Promise<TFileEntry>;
}

/**
 * planMove checks a rename or move of `from` to `to` (both below the root, each resolved through
 * descriptors: a folder on either path that is a link out of the root is refused) and answers the plan.
 * A folder cannot go into itself. An existing target is FILE_EXISTS, unless `overwrite` and both are
 * files (or links). Without `overwrite`, a file is moved with link(2) + unlink(2), so a target that
 * appears meanwhile is never replaced; a folder is moved with rename(2), which refuses a non-empty target.
 */
export async function planMove(args: {
  root: DocumentRoot;
  from: readonly string[];
  to: readonly string[];
  fromText: string;
  toText: string;
  overwrite: boolean;
}): Promise<MovePlan> {
  const { root, from, to, fromText, toText, overwrite } = args;
  if (to.length === 0) throw pathConflict('Give the new path of the entry, not the document root.');
  if (from.join('/') === to.join('/')) throw pathConflict(`"${fromText}" is already at that path.`);
  const source = await resolveSource(root, from, fromText);
  const walked = await root.walk(to.slice(0, -1));
  if ('notDirectory' in walked) throw pathConflict(`A file is in the way of a folder on the path "${toText}".`);
  const targetName = to[to.length - 1]!;
  if (source.type === 'directory') {
    const sourceReal = path.join(source.dir.realPath, source.name);
    const into = walked.dir.realPath;
    if (into === sourceReal || into.startsWith(`${sourceReal}/`))
      throw pathConflict(`A folder cannot be moved into itself: "${toText}" is inside "${fromText}".`);
  }
  let targetStats: Stats | null = null;
  if (walked.missing.length === 0) {
    try {
      targetStats = await fs.lstat(walked.dir.entry(targetName));
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
  if (targetStats) {
    if (targetStats.ino === source.stats.ino && targetStats.dev === source.stats.dev)
      throw fileExists([toText], `"${toText}" is the same file as "${fromText}" already.`);
    if (!overwrite)
      throw fileExists(
        [toText],
        `"${toText}" already exists; choose another name, or send overwrite: true to replace that file.`,
      );
    if (source.type === 'directory' || targetStats.isDirectory())
      throw fileExists(
        [toText],
        `"${toText}" already exists and only a file can replace a file; delete or rename "${toText}" first.`,
      );
  }
  return {
    type: source.type,
    replaced: targetStats !== null,
    apply: async () => {
      const made = await root.makeDirs(walked.dir, walked.missing);
      const src = source.dir.entry(source.name);
      const dst = made.dir.entry(targetName);
      try {
        if (targetStats || source.type === 'directory') await fs.rename(src, dst);
        else {
          await fs.link(src, dst);
          await fs.unlink(src);
        }
      } catch (error) {
        await made.undo();
        if (isErrno(error, 'EEXIST', 'ENOTEMPTY', 'EISDIR', 'ENOTDIR'))
          throw fileExists([toText], `"${toText}" appeared meanwhile; choose another name, or reload and try again.`);
        if (isErrno(error, 'EINVAL')) throw pathConflict('A folder cannot be moved into itself.');
        if (isErrno(error, 'ENOENT')) throw notFound('File');
        throw error;
      }
      return toEntry(targetName, await fs.lstat(dst));
    },
  };
}

/**
 * openForModeChange opens the file or folder at `segments` for fchmod: the last component with O_NOFOLLOW
 * (a link is refused: it has no permissions of its own), checked inside the root and owned by the tenant
 * (a hard link to someone else's file is not the tenant's to change). The caller closes the handle.
 */
export async function openForModeChange(args: {
  root: DocumentRoot;
  segments: readonly string[];
  text: string;
  uid: number;
}): Promise<{ handle: FileHandle; name: string }> {
  const { root, segments, text, uid } = args;
  if (segments.length === 0)
    throw pathConflict("The document root's permissions are the panel's; change those of what is inside it.");
  const walked = await root.walk(segments.slice(0, -1));
  if ('notDirectory' in walked || walked.missing.length > 0) throw notFound('File');
  const name = segments[segments.length - 1]!;
  const linkRefused = () =>
    pathConflict(
      `"${text}" is a symbolic link; a link has no permissions of its own. Change those of the file it points to.`,
    );
  let handle: FileHandle;
  try {
    handle = await fs.open(walked.dir.entry(name), HANDLE_FLAGS);
  } catch (error) {
    if (isErrno(error, 'ELOOP')) throw linkRefused();
    if (isErrno(error, 'ENOENT')) throw notFound('File');
    throw error;
  }
  try {
    await root.assertHandleInside(handle);
    const stats = await handle.stat();
    if (!stats.isFile() && !stats.isDirectory())
      throw pathConflict(`"${text}" is a special file; only files and folders have permissions here.`);
    if (stats.uid !== uid)
      throw pathConflict(`"${text}" is not owned by the site's account, so its permissions cannot be changed here.`);
    return { handle, name };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

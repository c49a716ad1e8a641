import { randomBytes } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import yauzl from 'yauzl';
import { makeDirAt, NEW_FILE_FLAGS, removeTree } from '@berth/runtime/dir-fd';
import {
  ARCHIVE_MAX_BYTES,
  ARCHIVE_MAX_ENTRIES,
  FILE_NAME_MAX_BYTES,
  FILE_PATH_MAX_BYTES,
  FILE_PATH_MAX_DEPTH,
} from '@berth/contracts';
import { AppError } from '../errors.js';
import { copyBody } from './files.body.js';
import { type DocumentRoot, isErrno, pathConflict, type Dir, type Owner } from './files.docroot.js';
import { fileExists } from './files.move.js';
import { readRange } from './files.read-range.js';

const MiB = 1024 * 1024;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const utf8 = new TextEncoder();

/** ArchiveEntry is one file or folder of a zip, its name checked and split into plain segments. */
interface ArchiveEntry {
  segments: string[];
  kind: 'file' | 'directory';
  size: number;
  modifiedAt: Date;
  source: yauzl.Entry;
}

/** Archive is a zip read through its central directory, checked against the bounds, ready to extract. */
export interface Archive {
  zip: yauzl.ZipFile;
  entries: ArchiveEntry[];
  totalBytes: number;
  skipped: { name: string; reason: string }[];
}

/**
 * HandleReader lets yauzl read the zip through the service's own descriptor: yauzl's `fromFd` closes the
 * descriptor it was given when the zip is closed, which would close a number the FileHandle still owns.
 */
class HandleReader extends yauzl.RandomAccessReader {
  constructor(private readonly handle: FileHandle) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return readRange(this.handle, start, end);
  }
}

function refuse(message: string): AppError {
  return pathConflict(message);
}

/**
 * readArchive reads the central directory of the zip open at `handle` and refuses, before anything is
 * written: more than ARCHIVE_MAX_ENTRIES entries, more than ARCHIVE_MAX_BYTES declared uncompressed
 * bytes (the zip-bomb bounds; yauzl also stops any entry that inflates past its declared size), names
 * that are absolute, contain `..`, NUL or over-long segments, the same path twice or as both a file
 * and a folder, encrypted entries and unknown compression. Links and special files (fifos, devices) are
 * never extracted: they are listed in `skipped`. Empty and `.` segments are dropped (`a//./b` is `a/b`).
 */
export async function readArchive(handle: FileHandle, text: string): Promise<Archive> {
  let zip: yauzl.ZipFile;
  try {
    const { size } = await handle.stat();
    zip = await yauzl.fromRandomAccessReaderPromise(new HandleReader(handle), size, {
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (error) {
    throw refuse(`"${text}" is not a zip file that can be read (${describeZipError(error)}).`);
  }
  try {
    if (zip.entryCount > ARCHIVE_MAX_ENTRIES)
      throw refuse(
        `The zip holds ${zip.entryCount} entries; at most ${ARCHIVE_MAX_ENTRIES} are extracted here. Split it, or upload its content over SFTP.`,
      );
    const entries: ArchiveEntry[] = [];
    const skipped: { name: string; reason: string }[] = [];
    const kinds = new Map<string, 'file' | 'directory'>();
    let totalBytes = 0;
    for (;;) {
      let entry: yauzl.Entry | null;
      try {
        entry = await nextEntry(zip);
      } catch (error) {
        throw refuse(`The zip cannot be extracted: ${describeZipError(error)}. Nothing was extracted.`);
      }
      if (!entry) break;
      const name = entry.fileName;
      const segments = normalizeName(name);
      const type = ((entry.externalFileAttributes >>> 16) & S_IFMT) >>> 0;
      if (type === S_IFLNK) {
        skipped.push({ name, reason: 'symbolic link (links are never extracted)' });
        continue;
      }
      const isDirectory = name.endsWith('/') || type === S_IFDIR;
      if (type !== 0 && type !== S_IFDIR && type !== S_IFREG) {
        skipped.push({ name, reason: 'special file' });
        continue;
      }
      if (segments.length === 0) continue;
      if (entry.isEncrypted())
        throw refuse(
          `"${name}" in the zip is encrypted; extract it on your computer and upload the files. Nothing was extracted.`,
        );
      if (!isDirectory && entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
        throw refuse(
          `"${name}" in the zip uses a compression method this panel does not read (only stored and deflate); nothing was extracted.`,
        );
      const kind = isDirectory ? 'directory' : 'file';
      for (let i = 1; i < segments.length; i++) {
        const prefix = segments.slice(0, i).join('/');
        if (kinds.get(prefix) === 'file')
          throw refuse(`The zip holds "${prefix}" both as a file and as a folder; nothing was extracted.`);
        kinds.set(prefix, 'directory');
      }
      const key = segments.join('/');
      const seen = kinds.get(key);
      if (seen && (seen === 'file' || kind === 'file'))
        throw refuse(`The zip holds "${key}" twice; nothing was extracted.`);
      kinds.set(key, kind);
      if (kind === 'file') {
        totalBytes += entry.uncompressedSize;
        if (totalBytes > ARCHIVE_MAX_BYTES)
          throw refuse(
            `The zip would unpack to more than ${ARCHIVE_MAX_BYTES / MiB} MiB; that is more than one extraction writes here. Nothing was extracted.`,
          );
      }
      entries.push({ segments, kind, size: entry.uncompressedSize, modifiedAt: entry.getLastModDate(), source: entry });
    }
    return { zip, entries, totalBytes, skipped };
  } catch (error) {
    zip.close();
    throw error;
  }
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/** describeZipError turns yauzl's messages into the part a tenant can act on (the offending name). */
function describeZipError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const bad = /^(absolute path|invalid relative path|invalid characters in fileName): (.*)$/s.exec(message);
  if (bad) {
    const kind = bad[1] === 'absolute path' ? 'an absolute path' : 'a name that leaves its folder';
    return `it holds "${bad[2]}", ${kind}`;
  }
  return message;
}

/** normalizeName splits a zip entry's name into plain segments, refusing what could leave the target folder. */
function normalizeName(name: string): string[] {
  if (name.includes('\u0000')) throw refuse('The zip holds a name with a NUL character; nothing was extracted.');
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name))
    throw refuse(`The zip holds "${name}", an absolute path; nothing was extracted.`);
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..'))
    throw refuse(`The zip holds "${name}", a name that leaves its folder; nothing was extracted.`);
  if (segments.length > FILE_PATH_MAX_DEPTH || utf8.encode(name).length > FILE_PATH_MAX_BYTES)
    throw refuse(`The zip holds "${name.slice(0, 80)}…", a path too long or too deep; nothing was extracted.`);
  for (const segment of segments)
    if (utf8.encode(segment).length > FILE_NAME_MAX_BYTES)
      throw refuse(`The zip holds a name longer than ${FILE_NAME_MAX_BYTES} bytes; nothing was extracted.`);
  return segments;
}

/** TreeNode is the zip's content as a tree (folders implied by a file's path are folders too). */
interface TreeNode {
  kind: 'file' | 'directory';
  children: Map<string, TreeNode>;
}

function treeOf(entries: readonly ArchiveEntry[]): TreeNode {
  const top: TreeNode = { kind: 'directory', children: new Map() };
  for (const entry of entries) {
    let node = top;
    entry.segments.forEach((segment, i) => {
      const last = i === entry.segments.length - 1;
      let child = node.children.get(segment);
      if (!child) {
        child = { kind: last ? entry.kind : 'directory', children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    });
  }
  return top;
}

/** MergeStep moves one entry of the staging folder into the target: a new one, or a file that replaces one. */
interface MergeStep {
  rel: string[];
  kind: 'file' | 'directory';
  replace: boolean;
  targetDir: Dir;
}

/**
 * planMerge compares the zip's tree with the target folder: a path that does not exist there is one step
 * (a whole new folder moves at once); a folder that exists is entered (through `DocumentRoot`, so a link
 * out of the root stops the extraction); a file that exists is replaced only with `overwrite`; a file
 * where the zip has a folder, or the other way round, is always in the way.
 */
async function planMerge(args: {
  root: DocumentRoot;
  target: string[];
  tree: TreeNode;
  overwrite: boolean;
}): Promise<{ steps: MergeStep[]; existing: string[]; blocked: string[] }> {
  const steps: MergeStep[] = [];
  const existing: string[] = [];
  const blocked: string[] = [];
  const visit = async (node: TreeNode, rel: string[]) => {
    const walked = await args.root.walk([...args.target, ...rel]);
    if ('notDirectory' in walked) throw pathConflict('A file is in the way of the folder to extract into.');
    for (const [name, child] of node.children) {
      const childRel = [...rel, name];
      if (walked.missing.length > 0) continue; // its parent is new: moved as a whole
      const found = await args.root.lookup(walked.dir, name);
      if (found.kind === 'missing') {
        steps.push({ rel: childRel, kind: child.kind, replace: false, targetDir: walked.dir });
        continue;
      }
      const isDirectory = found.kind === 'root' || found.stats.isDirectory();
      if (child.kind === 'directory') {
        if (isDirectory) await visit(child, childRel);
        else blocked.push(childRel.join('/'));
        continue;
      }
      if (isDirectory || (found.kind === 'entry' && !found.stats.isFile())) {
        blocked.push(childRel.join('/'));
        continue;
      }
      existing.push(childRel.join('/'));
      steps.push({ rel: childRel, kind: 'file', replace: true, targetDir: walked.dir });
    }
  };
  await visit(args.tree, []);
  return { steps, existing, blocked };
}

function assertNoConflicts(plan: { existing: string[]; blocked: string[] }, overwrite: boolean): void {
  const list = (paths: string[]) =>
    paths
      .slice(0, 5)
      .map((p) => `"${p}"`)
      .join(', ') + (paths.length > 5 ? ` and ${paths.length - 5} more` : '');
  if (plan.blocked.length > 0)
    throw fileExists(
      plan.blocked,
      `The zip has a folder where the site has a file, or a file where it has a folder: ${list(plan.blocked)}. Rename or delete those first; nothing was extracted.`,
    );
  if (plan.existing.length > 0 && !overwrite)
    throw fileExists(
      plan.existing,
      `${plan.existing.length} file(s) of the zip already exist: ${list(plan.existing)}. Extract with overwrite to replace them, or into another folder; nothing was extracted.`,
    );
}

/** ExtractResult is what an extraction wrote. */
export interface ExtractResult {
  files: number;
  directories: number;
  bytes: number;
  replaced: number;
}

/**
 * extractArchive extracts `archive` into the folder `target` (segments below the root; missing folders
 * are made), all or nothing:
 * 1. the plan is checked against what exists (FILE_EXISTS before anything is written);
 * 2. every entry is written into a staging folder `.berth-extract-<random>` (mode 0700) inside the target,
 *    folders through `DocumentRoot.makeDirs`, files created O_EXCL|O_NOFOLLOW relative to their folder's
 *    descriptor and given to the tenant (0644; folders 0755), each byte counted by `onChunk` (the disk
 *    guard) and checked against its declared size;
 * 3. `commit` runs `merge`, which moves the entries in (new files with link(2), so nothing that appeared
 *    meanwhile is replaced; replaced files are kept as hard links until the end) and, if any step fails,
 *    takes back every step already made;
 * 4. the staging folder is removed whatever happened.
 */
export async function extractArchive(args: {
  root: DocumentRoot;
  archive: Archive;
  target: string[];
  owner: Owner;
  overwrite: boolean;
  onChunk: (ownBytes: number, chunkBytes: number) => void;
  commit: (merge: () => Promise<ExtractResult>) => Promise<ExtractResult>;
  log: FastifyBaseLogger;
}): Promise<ExtractResult> {
  const { root, archive, owner } = args;
  const tree = treeOf(archive.entries);
  assertNoConflicts(await planMerge({ root, target: args.target, tree, overwrite: args.overwrite }), args.overwrite);

  const walked = await root.walk(args.target);
  if ('notDirectory' in walked) throw pathConflict('A file is in the way of the folder to extract into.');
  const targetDirs = await root.makeDirs(walked.dir, walked.missing);
  const stagingName = `.berth-extract-${randomBytes(8).toString('hex')}`;
  let committed = false;
  const opened: Dir[] = [];
  const openStaging = async (parent: Dir, name: string) => {
    const dir = (await makeDirAt(parent, name, owner, 0o700)).dir;
    opened.push(dir);
    root.assertInside(dir);
    return dir;
  };
  try {
    const staging = await openStaging(targetDirs.dir, stagingName);
    // The zip's content goes to `c/`, the files it replaces are kept in `r/` until the end.
    const stagingRoot = await openStaging(staging, 'c');
    const backups = await openStaging(staging, 'r');
    const dirs = new Map<string, Dir>([['', stagingRoot]]);
    const ensureDir = async (segments: readonly string[]): Promise<Dir> => {
      const key = segments.join('/');
      const known = dirs.get(key);
      if (known) return known;
      const parent = await ensureDir(segments.slice(0, -1));
      const made = await root.makeDirs(parent, [segments[segments.length - 1]!]);
      dirs.set(key, made.dir);
      return made.dir;
    };
    let bytes = 0;
    let files = 0;
    for (const entry of archive.entries) {
      if (entry.kind === 'directory') {
        await ensureDir(entry.segments);
        continue;
      }
      const dir = await ensureDir(entry.segments.slice(0, -1));
      bytes += await writeEntry({ archive, entry, dir, owner, onChunk: args.onChunk });
      files++;
    }
    const replacedName = (i: number) => `r${i}`;
    const result = await args.commit(async () => {
      // The plan again, now that the files are written: what appeared meanwhile counts too.
      const plan = await planMerge({ root, target: args.target, tree, overwrite: args.overwrite });
      assertNoConflicts(plan, args.overwrite);
      const undo: (() => Promise<void>)[] = [];
      try {
        for (const [i, step] of plan.steps.entries()) {
          const from = (await ensureDir(step.rel.slice(0, -1))).entry(step.rel[step.rel.length - 1]!);
          const to = step.targetDir.entry(step.rel[step.rel.length - 1]!);
          await mergeStep({ step, from, to, backup: backups.entry(replacedName(i)), undo });
        }
      } catch (error) {
        for (const back of undo.reverse()) {
          try {
            await back();
          } catch (undoError) {
            args.log.warn({ err: undoError }, 'could not take back a step of a failed extraction');
          }
        }
        if (isErrno(error, 'EEXIST', 'ENOTEMPTY', 'ENOTDIR', 'EISDIR'))
          throw fileExists(
            [],
            'Files appeared in the folder while the zip was being extracted; nothing was extracted. Try again.',
          );
        throw error;
      }
      return {
        files,
        directories: dirs.size - 1,
        bytes,
        replaced: plan.steps.filter((s) => s.replace).length,
      };
    });
    committed = true;
    return result;
  } finally {
    for (const dir of opened) await dir.close();
    try {
      await removeTree(targetDirs.dir, stagingName);
    } catch (error) {
      args.log.warn({ err: error, staging: stagingName }, 'could not remove the staging folder of an extraction');
    }
    if (!committed) {
      try {
        await targetDirs.undo();
      } catch (error) {
        args.log.warn({ err: error }, 'could not remove the folders made for a failed extraction');
      }
    }
  }
}

/** mergeStep moves one staged entry into place and pushes how to take it back. */
async function mergeStep(args: {
  step: MergeStep;
  from: string;
  to: string;
  backup: string;
  undo: (() => Promise<void>)[];
}): Promise<void> {
  const { step, from, to, backup, undo } = args;
  if (step.kind === 'directory') {
    // rename(2) refuses a non-empty folder in the way; a file in the way is ENOTDIR.
    await fs.rename(from, to);
    undo.push(() => fs.rename(to, from));
    return;
  }
  if (!step.replace) {
    await fs.link(from, to);
    const { ino } = await fs.lstat(from);
    undo.push(async () => {
      if ((await fs.lstat(to)).ino === ino) await fs.unlink(to);
    });
    return;
  }
  let kept = true;
  try {
    await fs.link(to, backup);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
    kept = false;
  }
  await fs.rename(from, to);
  undo.push(async () => {
    if (kept) await fs.rename(backup, to);
    else await fs.unlink(to);
  });
}

/** writeEntry writes one file of the zip into `dir`, owned by the tenant, and answers its size. */
async function writeEntry(args: {
  archive: Archive;
  entry: ArchiveEntry;
  dir: Dir;
  owner: Owner;
  onChunk: (ownBytes: number, chunkBytes: number) => void;
}): Promise<number> {
  const { entry, dir, owner } = args;
  const name = entry.segments[entry.segments.length - 1]!;
  const handle = await fs.open(dir.entry(name), NEW_FILE_FLAGS, 0o644);
  let written = 0;
  try {
    await handle.chown(owner.uid, owner.gid);
    await handle.chmod(0o644);
    let stream: Readable;
    try {
      stream = await args.archive.zip.openReadStreamPromise(entry.source);
    } catch (error) {
      throw refuse(`"${entry.segments.join('/')}" in the zip cannot be read: ${describeZipError(error)}.`);
    }
    try {
      written = await copyBody(stream, handle, args.onChunk);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw refuse(
        `"${entry.segments.join('/')}" in the zip is damaged or larger than it says (${describeZipError(error)}); nothing was extracted.`,
      );
    }
    // lutimes: a file swapped for a link meanwhile gets the link's times changed, never its target's.
    await fs.lutimes(dir.entry(name), entry.modifiedAt, entry.modifiedAt);
  } finally {
    await handle.close();
  }
  return written;
}

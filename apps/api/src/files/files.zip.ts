import { constants } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import yazl from 'yazl';
import { FILE_PATH_MAX_DEPTH } from '@berth/contracts';
import { openDirAt } from '@berth/runtime/dir-fd';
import { isErrno, type Dir, type DocumentRoot } from './files.docroot.js';
import { readRange } from './files.read-range.js';

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** The panel's own temporary entries (uploads, extractions and deletions in flight) are not part of a download. */
const INTERNAL = /^\.berth-(upload|extract|delete)-/;
/** Files already compressed are stored, not deflated again. */
const STORED = /\.(zip|gz|tgz|bz2|xz|zst|7z|rar|jpe?g|png|gif|webp|avif|mp3|mp4|m4a|webm|ogg|woff2?|pdf)$/i;

/**
 * zipFolder streams the folder `dir` (below `root`) as a zip: entries are named relative to `prefix`
 * (the folder's own name and `/`, or `''` for the document root), folders as `name/`. It walks through
 * descriptors: each folder is opened with O_NOFOLLOW|O_DIRECTORY and checked inside the root, each file
 * opened with O_NOFOLLOW from its folder's descriptor. Symbolic links are skipped, wherever they point
 * (a zip of the site holds its files and folders, never links and never what lies outside the root), as
 * are special files and hard links to files the site's account does not own. One file is read at a time,
 * at the pace the client takes the zip. `done` runs when the zip ends or the client goes away; a failure
 * halfway cuts the download (the client sees a broken zip) and is logged.
 */
export function zipFolder(args: {
  root: DocumentRoot;
  dir: Dir;
  prefix: string;
  uid: number;
  log: FastifyBaseLogger;
  done: () => Promise<void>;
}): Readable {
  const zip = new yazl.ZipFile();
  const output = zip.outputStream as Readable;
  let stopped = false;
  /** The file being read now: destroyed when the client goes away, so the walk never waits for a reader that left. */
  let current: Readable | null = null;
  const addFolder = async (dir: Dir, prefix: string, depth: number): Promise<void> => {
    if (depth > FILE_PATH_MAX_DEPTH) return;
    const names = (await fs.readdir(dir.proc)).sort();
    for (const name of names) {
      if (stopped) return;
      if (INTERNAL.test(name)) continue;
      let stats;
      try {
        stats = await fs.lstat(dir.entry(name));
      } catch (error) {
        if (isErrno(error, 'ENOENT')) continue;
        throw error;
      }
      if (stats.isDirectory()) {
        let child: Dir;
        try {
          child = await openDirAt(dir, name);
        } catch (error) {
          // Swapped for a link or a file since lstat, or gone: left out.
          if (isErrno(error, 'ENOENT', 'ENOTDIR', 'ELOOP')) continue;
          throw error;
        }
        try {
          args.root.assertInside(child);
          zip.addEmptyDirectory(`${prefix}${name}/`, { mtime: stats.mtime, mode: stats.mode });
          await addFolder(child, `${prefix}${name}/`, depth + 1);
        } finally {
          await child.close();
        }
      } else if (stats.isFile()) {
        await addFile(dir, name, `${prefix}${name}`);
      }
    }
  };
  const addFile = async (dir: Dir, name: string, entryName: string): Promise<void> => {
    let handle: FileHandle;
    try {
      handle = await fs.open(dir.entry(name), READ_FLAGS);
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ELOOP')) return;
      throw error;
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile() || (stats.nlink > 1 && stats.uid !== args.uid)) return;
      if (stats.size === 0) {
        zip.addBuffer(Buffer.alloc(0), entryName, { mtime: stats.mtime, mode: stats.mode });
        return;
      }
      const stream = readRange(handle, 0, stats.size);
      current = stream;
      zip.addReadStream(stream, entryName, { mtime: stats.mtime, mode: stats.mode, compress: !STORED.test(name) });
      await finished(stream);
      current = null;
    } finally {
      await handle.close();
    }
  };
  output.once('close', () => {
    stopped = true;
    current?.destroy();
  });
  const walk = (async () => {
    try {
      await addFolder(args.dir, args.prefix, 0);
      if (!stopped) zip.end();
    } catch (error) {
      if (!stopped) args.log.warn({ err: error }, 'folder zip stopped halfway');
      output.destroy(error as Error);
    }
  })();
  // The root is closed only once the walk is over too (it may still hold descriptors when a client leaves).
  void Promise.allSettled([walk, finished(output)])
    .then(async ([, ended]) => {
      // A client that goes away is a premature close, not a failure.
      if (ended.status === 'rejected' && !isErrno(ended.reason, 'ERR_STREAM_PREMATURE_CLOSE'))
        args.log.warn({ err: ended.reason }, 'folder zip failed');
      await args.done();
    })
    .catch((error: unknown) => args.log.warn({ err: error }, 'could not close the folder of a zip download'));
  return output;
}

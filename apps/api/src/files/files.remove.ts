import fs from 'node:fs/promises';
import { AppError } from '../errors.js';
import { DIR_FLAGS, Dir, isErrno, pathOfHandle } from './files.docroot.js';

/** REMOVE_MAX_DEPTH bounds how deep removeTree descends (one open descriptor per level). */
const REMOVE_MAX_DEPTH = 512;

/**
 * removeTree deletes `name` in `parent` and, for a folder, everything below it, without ever following a
 * symbolic link: each folder is opened with O_NOFOLLOW and emptied through its own descriptor, so a
 * folder swapped for a link to `/etc` halfway through is unlinked as a link, never descended into (the
 * race behind CVE-2022-21658). Entries that vanish meanwhile are fine.
 */
export async function removeTree(parent: Dir, name: string, depth = 0): Promise<void> {
  if (depth > REMOVE_MAX_DEPTH) throw new AppError('INTERNAL', `Folders nested deeper than ${REMOVE_MAX_DEPTH} levels cannot be deleted here.`);
  let handle;
  try {
    handle = await fs.open(parent.entry(name), DIR_FLAGS);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    // Not a folder (a file, or a link to anything): the entry itself goes.
    if (isErrno(error, 'ENOTDIR', 'ELOOP')) return unlinkEntry(parent, name, depth + 1);
    throw error;
  }
  const dir = new Dir(handle, await pathOfHandle(handle));
  try {
    for (const entry of await fs.readdir(dir.proc, { withFileTypes: true })) {
      if (entry.isDirectory()) await removeTree(dir, entry.name, depth + 1);
      else await unlinkEntry(dir, entry.name, depth + 1);
    }
  } finally {
    await dir.close();
  }
  try {
    await fs.rmdir(parent.entry(name));
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}

async function unlinkEntry(dir: Dir, name: string, depth: number): Promise<void> {
  try {
    await fs.unlink(dir.entry(name));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    // It became (or the directory listing did not say it was) a folder.
    if (isErrno(error, 'EISDIR', 'EPERM')) return removeTree(dir, name, depth + 1);
    throw error;
  }
}

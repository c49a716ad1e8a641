import { constants } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';

/**
 * Descriptor-anchored file operations for trees a tenant controls. A tenant owns its `sites/` folder and can
 * replace any directory in it by a symbolic link at any moment, so nothing that runs as root may resolve a
 * path through such a tree twice: each directory is opened once (never through a link) and everything
 * below it is addressed as `/proc/self/fd/<fd>/<name>`, which the kernel resolves from the open directory
 * itself, like openat(2). Linux only, like the rest of the panel.
 */

/** DIR_FLAGS open a directory without following a symbolic link in the last component. */
export const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** NEW_FILE_FLAGS create a file that did not exist (a link in its place fails with EEXIST, never followed). */
export const NEW_FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Owner is a uid/gid pair (a tenant's). */
export interface Owner {
  uid: number;
  gid: number;
}

/** isErrno tells whether `error` is a system error with one of `codes`. */
export function isErrno(error: unknown, ...codes: string[]): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && codes.includes(code);
}

/** pathOfHandle asks the kernel where an open descriptor points now. */
export async function pathOfHandle(handle: FileHandle): Promise<string> {
  return fs.readlink(`/proc/self/fd/${handle.fd}`);
}

/** Dir is an open directory; its entries are addressed through its descriptor. */
export class Dir {
  private closed = false;

  constructor(
    readonly handle: FileHandle,
    /** Where the directory was when it was opened (what the kernel said, not what was asked for). */
    readonly realPath: string,
  ) {}

  /** proc is the path of the directory itself through its descriptor. */
  get proc(): string {
    return `/proc/self/fd/${this.handle.fd}`;
  }

  /** entry is the descriptor-anchored path of `name` in this directory. */
  entry(name: string): string {
    return `${this.proc}/${name}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** openDir opens a trusted directory by path (the panel's own, e.g. the data dir), as the kernel resolves it. */
export async function openDir(path: string): Promise<Dir> {
  const handle = await fs.open(path, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    return new Dir(handle, await pathOfHandle(handle));
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** openDirAt opens `name` in `parent` as a directory, never through a symbolic link (ELOOP/ENOTDIR otherwise). */
export async function openDirAt(parent: Dir, name: string): Promise<Dir> {
  const handle = await fs.open(parent.entry(name), DIR_FLAGS);
  try {
    return new Dir(handle, await pathOfHandle(handle));
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * makeDirAt creates `name` in `parent` (mode 0755) and opens it; an existing directory is opened. A new one
 * is given to `owner` (unless null) through its own descriptor, so a directory swapped for a link in
 * between is not what gets the new owner.
 */
export async function makeDirAt(
  parent: Dir,
  name: string,
  owner: Owner | null,
  mode = 0o755,
): Promise<{ dir: Dir; made: boolean }> {
  let made = true;
  try {
    await fs.mkdir(parent.entry(name), { mode });
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
    made = false;
  }
  const dir = await openDirAt(parent, name);
  if (made) {
    try {
      if (owner) await dir.handle.chown(owner.uid, owner.gid);
      await dir.handle.chmod(mode);
    } catch (error) {
      await dir.close();
      throw error;
    }
  }
  return { dir, made };
}

/**
 * writeNewFileAt creates `name` in `dir` with `content`, owned by `owner` (through the new file's own
 * descriptor), unless something of that name exists (then nothing happens and it answers false).
 */
export async function writeNewFileAt(
  dir: Dir,
  name: string,
  content: string,
  owner: Owner,
  mode = 0o644,
): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await fs.open(dir.entry(name), NEW_FILE_FLAGS, mode);
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
    await handle.chown(owner.uid, owner.gid);
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * withDirChain opens `names` one below the other from the trusted directory `base`, never through a link,
 * runs `use` with the deepest one and closes them all. `owner` (per step, or null) is given to directories
 * it has to create when `create` is set.
 */
export async function withDirChain<T>(
  base: string,
  steps: readonly { name: string; owner: Owner | null; mode?: number }[],
  { create }: { create: boolean },
  use: (dir: Dir) => Promise<T>,
): Promise<T> {
  const chain: Dir[] = [await openDir(base)];
  try {
    for (const step of steps) {
      const parent = chain[chain.length - 1]!;
      chain.push(
        create ? (await makeDirAt(parent, step.name, step.owner, step.mode)).dir : await openDirAt(parent, step.name),
      );
    }
    return await use(chain[chain.length - 1]!);
  } finally {
    for (const dir of chain.reverse()) await dir.close();
  }
}

/** REMOVE_MAX_DEPTH bounds how deep removeTree descends (one open descriptor per level). */
const REMOVE_MAX_DEPTH = 512;

/**
 * removeTree deletes `name` in `parent` and, for a folder, everything below it, without ever following a
 * symbolic link: each folder is opened with O_NOFOLLOW and emptied through its own descriptor, so a
 * folder swapped for a link to `/etc` halfway through is unlinked as a link, never descended into (the
 * race behind CVE-2022-21658). Entries that vanish meanwhile are fine.
 */
export async function removeTree(parent: Dir, name: string, depth = 0): Promise<void> {
  if (depth > REMOVE_MAX_DEPTH)
    throw new Error(`Folders nested deeper than ${REMOVE_MAX_DEPTH} levels cannot be deleted here.`);
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

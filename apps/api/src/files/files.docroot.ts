import { type Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DIR_FLAGS, Dir, isErrno, makeDirAt, openDirAt, pathOfHandle, type Owner } from '@berth/runtime/dir-fd';
import { AppError, notFound } from '../errors.js';

// The descriptor-anchored primitives are the runtime's (packages/runtime/src/fs/dir-fd.ts), shared with the
// site scaffolding; the files API re-exports what its other modules use.
export { DIR_FLAGS, Dir, isErrno, pathOfHandle, type Owner };

/** outsideRoot is the one answer for a path that leaves the document root, whatever lies outside (no oracle). */
export function outsideRoot(): AppError {
  const message = "The path goes through a symbolic link that does not stay inside the site's document root.";
  return new AppError('VALIDATION_FAILED', message, { details: { issues: [{ in: 'params', path: ['*'], message }] } });
}
/** pathConflict refuses a request that the current content of the folder makes impossible. */
export function pathConflict(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { details: { issues: [{ in: 'params', path: ['*'], message }] } });
}

/** storageNotReady is the answer while the account's own disk is not mounted on its `sites/` yet. */
export function storageNotReady(): AppError {
  return new AppError(
    'FILES_NOT_READY',
    "This account's storage is still being prepared (a new account's first seconds, or the panel is starting); try again in a moment.",
  );
}

/** assertName refuses a name that is not one plain path segment; the route schema already did, this is the last line. */
function assertName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\u0000')) {
    throw pathConflict('A path segment must be a plain name.');
  }
}

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(`${root}/`);
}

/** Made is a directory this request created, remembered so that a failed request can take it back. */
interface Made {
  parent: Dir;
  name: string;
}

/** Lookup is what one name in a folder is, after following a symbolic link that stays inside the root. */
export type Lookup =
  | { kind: 'missing' }
  /** The name (or the link's target) is the document root itself. */
  | { kind: 'root' }
  /** `dir`/`name` is the real entry: the name itself, or the target of the link it was. */
  | { kind: 'entry'; dir: Dir; name: string; stats: Stats };

/**
 * DocumentRoot is a site's open document root, `<dataDir>/tenants/<tenantId>/sites/<siteId>/public`. Every
 * path below it is walked one component at a time from open descriptors; a symbolic link is followed only
 * when its real target stays inside the root, and every directory opened is checked against the root
 * by asking the kernel where it really is. Close it when done.
 */
export class DocumentRoot {
  private readonly opened: Dir[] = [];

  private constructor(
    readonly root: Dir,
    private readonly owner: Owner,
  ) {}

  get realPath(): string {
    return this.root.realPath;
  }

  /**
   * open opens (with `create`, first creating) a site's document root. `tenants/` and `tenants/<tenantId>/`
   * are the panel's (root-owned); `sites/`, the site directory and `public/` belong to the tenant.
   * `public` may be a symbolic link into the site's own directory (release-switching deploys); anything
   * else that is not a plain directory is refused. Without `create`, a missing root is `null`.
   */
  static async open(opts: {
    dataDir: string;
    tenantId: string;
    siteId: string;
    owner: Owner;
    create: boolean;
    /**
     * The tenant's `sites/` must be its own filesystem (the control plane mounts a disk there before anything
     * is written): until it is, nothing is read or written, so a file never lands beside the disk, outside
     * its limit, where the disk's mount would hide it or its first creation would move it away.
     */
    ownDisk: boolean;
  }): Promise<DocumentRoot | null> {
    const realData = await fs.realpath(opts.dataDir);
    const chain: Dir[] = [new Dir(await fs.open(realData, DIR_FLAGS), realData)];
    try {
      const steps: [string, Owner | null][] = [
        ['tenants', null],
        [opts.tenantId, null],
        ['sites', opts.owner],
        [opts.siteId, opts.owner],
      ];
      for (const [name, owner] of steps) {
        const parent = chain[chain.length - 1]!;
        if (opts.ownDisk && name === 'sites') {
          chain.push(await openMountedSites(parent));
          continue;
        }
        try {
          chain.push(opts.create ? (await makeDirAt(parent, name, owner)).dir : await openDirAt(parent, name));
        } catch (error) {
          if (!opts.create && isErrno(error, 'ENOENT')) return null;
          if (isErrno(error, 'ENOTDIR', 'ELOOP')) throw brokenRoot();
          throw error;
        }
      }
      const siteDir = chain[chain.length - 1]!;
      const expected = path.join(realData, 'tenants', opts.tenantId, 'sites', opts.siteId);
      if (siteDir.realPath !== expected) throw brokenRoot();
      const publicDir = await openPublic(siteDir, opts.owner, opts.create);
      if (!publicDir) return null;
      return new DocumentRoot(publicDir, opts.owner);
    } finally {
      for (const dir of chain) await dir.close();
    }
  }

  /** close closes the root and every directory opened through it. */
  async close(): Promise<void> {
    for (const dir of this.opened.splice(0)) await dir.close();
    await this.root.close();
  }

  /**
   * walk opens the folder `segments` names, as far as it exists: `dir` is the deepest existing folder and
   * `missing` the names below it that do not exist yet. A file where a folder is needed is `notDirectory`.
   */
  async walk(segments: readonly string[]): Promise<{ dir: Dir; missing: string[] } | { notDirectory: true }> {
    let dir = this.root;
    for (let i = 0; i < segments.length; i++) {
      const name = segments[i]!;
      const found = await this.lookup(dir, name);
      if (found.kind === 'missing') return { dir, missing: segments.slice(i) };
      if (found.kind === 'root') {
        dir = this.root;
        continue;
      }
      if (!found.stats.isDirectory()) return { notDirectory: true };
      dir = this.track(await this.openVerified(found.dir, found.name));
    }
    return { dir, missing: [] };
  }

  /**
   * lookup says what `name` in `dir` is. A symbolic link is resolved to its real target, which must be
   * inside the root (else `outsideRoot()`, the same answer whether the target exists or not).
   */
  async lookup(dir: Dir, name: string): Promise<Lookup> {
    assertName(name);
    let stats: Stats;
    try {
      stats = await fs.lstat(dir.entry(name));
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return { kind: 'missing' };
      if (isErrno(error, 'ENOTDIR')) throw notFound('File');
      throw error;
    }
    if (!stats.isSymbolicLink()) return { kind: 'entry', dir, name, stats };
    const real = await this.realTargetOf(dir, name);
    if (real === this.realPath) return { kind: 'root' };
    const parent = this.track(await this.openAbsolute(path.dirname(real)));
    const base = path.basename(real);
    try {
      stats = await fs.lstat(parent.entry(base));
    } catch (error) {
      if (isErrno(error, 'ENOENT')) throw outsideRoot();
      throw error;
    }
    // The target changed between realpath and lstat: refuse rather than guess.
    if (stats.isSymbolicLink()) throw outsideRoot();
    return { kind: 'entry', dir: parent, name: base, stats };
  }

  /** checkLink refuses a symbolic link whose target is not inside the root; used before deleting the link itself. */
  async checkLink(dir: Dir, name: string): Promise<void> {
    assertName(name);
    try {
      const real = await fs.realpath(dir.entry(name));
      if (isInside(this.realPath, real)) return;
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw outsideRoot();
      // A dangling link: judge where its text points, so a stale link inside the root can still be removed.
      const target = path.resolve(dir.realPath, await fs.readlink(dir.entry(name)));
      if (isInside(this.realPath, target)) return;
    }
    throw outsideRoot();
  }

  /**
   * makeDirs creates `names` below `dir`, each owned by the tenant, and returns the last one. `undo`
   * removes what this call created (deepest first) if they are still empty; it is best effort.
   */
  async makeDirs(dir: Dir, names: readonly string[]): Promise<{ dir: Dir; undo: () => Promise<void> }> {
    const made: Made[] = [];
    const undo = async () => {
      for (const step of made.reverse()) {
        try {
          await fs.rmdir(step.parent.entry(step.name));
        } catch (error) {
          if (!isErrno(error, 'ENOENT', 'ENOTEMPTY', 'EEXIST')) throw error;
        }
      }
    };
    let current = dir;
    try {
      for (const name of names) {
        assertName(name);
        const result = await makeDirAt(current, name, this.owner);
        this.track(result.dir);
        this.assertInside(result.dir);
        if (result.made) made.push({ parent: current, name });
        current = result.dir;
      }
    } catch (error) {
      await undo();
      if (isErrno(error, 'ENOTDIR', 'ELOOP')) throw pathConflict('A file is in the way of a folder on this path.');
      throw error;
    }
    return { dir: current, undo };
  }

  /** assertInside refuses a descriptor the kernel says is not inside the root (a swap raced the walk). */
  assertInside(dir: Dir): void {
    if (!isInside(this.realPath, dir.realPath)) throw outsideRoot();
  }

  /** assertHandleInside is assertInside for an open file. */
  async assertHandleInside(handle: FileHandle): Promise<void> {
    if (!isInside(this.realPath, await pathOfHandle(handle))) throw outsideRoot();
  }

  /** openVerified opens the directory `name` in `dir` (no link) and checks where it really is. */
  private async openVerified(dir: Dir, name: string): Promise<Dir> {
    let opened: Dir;
    try {
      opened = await openDirAt(dir, name);
    } catch (error) {
      // A directory swapped for a link or a file after lstat.
      if (isErrno(error, 'ENOTDIR', 'ELOOP')) throw outsideRoot();
      if (isErrno(error, 'ENOENT')) throw notFound('File');
      throw error;
    }
    if (!isInside(this.realPath, opened.realPath)) {
      await opened.close();
      throw outsideRoot();
    }
    return opened;
  }

  /** openAbsolute opens a real (already resolved) directory path and checks it is inside the root. */
  private async openAbsolute(realDir: string): Promise<Dir> {
    let handle: FileHandle;
    try {
      handle = await fs.open(realDir, DIR_FLAGS);
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR', 'ELOOP')) throw outsideRoot();
      throw error;
    }
    const dir = new Dir(handle, await pathOfHandle(handle));
    if (!isInside(this.realPath, dir.realPath)) {
      await dir.close();
      throw outsideRoot();
    }
    return dir;
  }

  private async realTargetOf(dir: Dir, name: string): Promise<string> {
    let real: string;
    try {
      real = await fs.realpath(dir.entry(name));
    } catch (error) {
      // A dangling link, a loop, or a target we may not know about: all the same answer.
      if (isErrno(error, 'ENOENT', 'ELOOP', 'ENOTDIR', 'EACCES', 'ENAMETOOLONG')) throw outsideRoot();
      throw error;
    }
    if (!isInside(this.realPath, real)) throw outsideRoot();
    return real;
  }

  private track(dir: Dir): Dir {
    if (dir !== this.root) this.opened.push(dir);
    return dir;
  }
}

function brokenRoot(): AppError {
  return new AppError(
    'NOT_FOUND',
    "The site's document root is missing or is not a plain directory (only a link into the site's own folder is accepted).",
  );
}

/** openMountedSites opens the tenant's `sites/` only when it is the root of a filesystem other than its parent's (the tenant's disk). */
async function openMountedSites(tenantDir: Dir): Promise<Dir> {
  let sites: Dir;
  try {
    sites = await openDirAt(tenantDir, 'sites');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) throw storageNotReady();
    if (isErrno(error, 'ENOTDIR', 'ELOOP')) throw brokenRoot();
    throw error;
  }
  const [inner, outer] = await Promise.all([sites.handle.stat(), tenantDir.handle.stat()]);
  if (inner.dev === outer.dev) {
    await sites.close();
    throw storageNotReady();
  }
  return sites;
}

/** openPublic opens `public` in the site directory: a plain directory, or a link that stays inside the site directory. */
async function openPublic(siteDir: Dir, owner: Owner, create: boolean): Promise<Dir | null> {
  try {
    return create ? (await makeDirAt(siteDir, 'public', owner)).dir : await openDirAt(siteDir, 'public');
  } catch (error) {
    if (!create && isErrno(error, 'ENOENT')) return null;
    if (!isErrno(error, 'ENOTDIR', 'ELOOP', 'EEXIST')) throw error;
  }
  const stats = await fs.lstat(siteDir.entry('public'));
  if (!stats.isSymbolicLink()) throw brokenRoot();
  let real: string;
  try {
    real = await fs.realpath(siteDir.entry('public'));
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ELOOP', 'ENOTDIR', 'EACCES')) throw brokenRoot();
    throw error;
  }
  if (!real.startsWith(`${siteDir.realPath}/`)) throw brokenRoot();
  let handle: FileHandle;
  try {
    handle = await fs.open(real, DIR_FLAGS);
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR', 'ELOOP')) throw brokenRoot();
    throw error;
  }
  const dir = new Dir(handle, await pathOfHandle(handle));
  if (!dir.realPath.startsWith(`${siteDir.realPath}/`)) {
    await dir.close();
    throw brokenRoot();
  }
  return dir;
}

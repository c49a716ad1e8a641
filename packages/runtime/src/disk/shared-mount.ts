import { mkdir, readFile, realpath } from 'node:fs/promises';
import { RuntimeError } from '../errors.js';
import { runHostCommand } from '../host/host-command.js';
import { tenantsRoot } from '../layout.js';
import { assertHostPath } from './tenant-disk.layout.js';
import { isShared, mountsBelow, parseMountinfo, topMountAt, type MountEntry } from './mountinfo.js';
import type { DockerDriver } from '../runtime.types.js';

/** readMounts is this process's mount table (the panel runs in the host's mount namespace, like dockerd). */
export async function readMounts(): Promise<MountEntry[]> {
  return parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'));
}

const chains = new Map<string, Promise<unknown>>();

/** withMountLock runs mount changes for one key one at a time within this process (passes of different tenants run in parallel). */
export function withMountLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = chains.get(key) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  chains.set(key, settled);
  void settled.then(() => {
    if (chains.get(key) === settled) chains.delete(key);
  });
  return next;
}

const known = new Set<string>();

/**
 * tenantsRootPath is `<dataDir>/tenants` as the kernel names it (symbolic links resolved), created if missing:
 * mount points are compared with /proc/self/mountinfo, which has real paths only.
 */
export async function tenantsRootPath(ctx: DockerDriver): Promise<string> {
  const dir = tenantsRoot(ctx.dataDir);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  return assertHostPath(await realpath(dir));
}

/**
 * ensureTenantsRootShared makes `<dataDir>/tenants` a shared mount: Berth bind-mounts the directory on
 * itself and marks it shared (a mount of its own; an existing shared mount there is used as is). Every
 * container binds tenants' files from below it with `rslave` propagation, so a tenant disk mounted later
 * (a new tenant, a remount after a reboot) appears in the edge and in the tenant's containers without
 * restarting them, and an unmount disappears from them. Docker refuses to start a container with an
 * `rslave` bind from a mount that is neither shared nor a slave: after a reboot, tenant containers and the
 * edge start once the panel has made this mount again (and mounted the tenants' disks), never on the bare
 * directories. Idempotent; remembered per process once seen, unless `recheck` (before a disk is mounted
 * under it: a mount made below a non-shared bind would never reach the edge).
 */
export async function ensureTenantsRootShared(ctx: DockerDriver, opts: { recheck?: boolean } = {}): Promise<string> {
  const dir = await tenantsRootPath(ctx);
  if (known.has(dir) && !opts.recheck) return dir;
  await withMountLock(`shared:${dir}`, async () => {
    const entries = await readMounts();
    const top = topMountAt(entries, dir);
    if (top && isShared(top)) return;
    // A bind of this very directory on itself (same filesystem as its parent mount) is Berth's, made by a
    // pass that was killed before marking it shared: mark it. Anything else gets Berth's own bind on top.
    const parent = top ? entries.find((e) => e.id === top.parentId) : undefined;
    const ours = top !== undefined && parent !== undefined && parent.device === top.device;
    if (!ours) {
      const below = mountsBelow(entries, dir);
      if (below.length > 0) {
        throw new RuntimeError(
          'LIMITS_FAILED',
          `${dir} has mounts inside it (${below[0]!.mountPoint}) but is not a shared mount, so containers would not see them change; unmount them (a host restart does) and retry.`,
          { details: { dir, mounts: below.map((m) => m.mountPoint) } },
        );
      }
      await runHostCommand('mount', ['--bind'], [dir, dir]);
    }
    await runHostCommand('mount', ['--make-shared'], [dir]);
    ctx.logger?.info({ dir }, 'runtime: tenants directory is a shared mount');
  });
  known.add(dir);
  return dir;
}

/**
 * releaseTenantsRoot removes Berth's shared bind from `<dataDir>/tenants` (uninstall, tests), refusing while
 * a tenant disk is still mounted below it. Only a bind of the directory on itself is removed.
 */
export async function releaseTenantsRoot(ctx: DockerDriver): Promise<void> {
  const dir = await tenantsRootPath(ctx);
  await withMountLock(`shared:${dir}`, async () => {
    for (;;) {
      const entries = await readMounts();
      const top = topMountAt(entries, dir);
      if (!top) break;
      const parent = entries.find((e) => e.id === top.parentId);
      if (!parent || parent.device !== top.device) break;
      const below = mountsBelow(entries, dir);
      if (below.length > 0)
        throw new RuntimeError(
          'LIMITS_FAILED',
          `Tenant disks are still mounted under ${dir} (${below[0]!.mountPoint}); remove those tenants first.`,
        );
      await runHostCommand('umount', [], [dir]);
    }
  });
  known.delete(dir);
}

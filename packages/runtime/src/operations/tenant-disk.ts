import {
  chmod,
  chown,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { basename, join } from 'node:path';
import { RuntimeError } from '../errors.js';
import { assertSlug } from '../inputs.guard.js';
import { LABELS } from '../labels.js';
import { LAYOUT } from '../layout.js';
import { callDocker, isNotFound } from '../docker/docker.driver.js';
import { runHostCommand } from '../host/host-command.js';
import { topMountAt } from '../disk/mountinfo.js';
import { ensureTenantsRootShared, readMounts, tenantsRootPath, withMountLock } from '../disk/shared-mount.js';
import {
  assertLoopDevice,
  diskImageBytes,
  migrationBytes,
  mkfsCommand,
  mountCommand,
} from '../disk/tenant-disk.layout.js';
import type { DockerDriver } from '../runtime.types.js';

/** TenantDisk reports a tenant's filesystem after ensureTenantDisk. */
export interface TenantDisk {
  /** The loop device it is mounted from. */
  device: string;
  /** Its size now (the image's size). */
  bytes: number;
  /** The size the plan asks for; smaller than `bytes` after a downgrade (a disk is never shrunk). */
  wantedBytes: number;
  action: 'created' | 'migrated' | 'mounted' | 'grown' | 'unchanged';
}

interface DiskPaths {
  root: string;
  sites: string;
  image: string;
  /** An image being made: renamed to `image` only once mkfs has finished. */
  fresh: string;
  /** The tenant's files from before disks existed, while they are copied into the new disk. */
  staging: string;
  state: string;
}

function diskPaths(tenants: string, tenantId: string): DiskPaths {
  const root = join(tenants, assertSlug(tenantId, 'tenant id'));
  const image = join(root, LAYOUT.diskImage);
  return {
    root,
    sites: join(root, LAYOUT.sites),
    image,
    fresh: `${image}.new`,
    staging: join(root, `${LAYOUT.sites}.migrating`),
    state: join(root, LAYOUT.state, 'disk.json'),
  };
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : Promise.reject(err)),
  );
}

async function hasEntries(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** usedBytes is what a directory tree holds on disk (st_blocks), links counted as themselves and never followed. */
async function usedBytes(dir: string): Promise<number> {
  let total = 0;
  const pending = [dir];
  for (let d = pending.pop(); d !== undefined; d = pending.pop()) {
    total += (await lstat(d)).blocks * 512;
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else total += (await lstat(path)).blocks * 512;
    }
  }
  return total;
}

/**
 * mountedDisk is the loop device of the tenant's disk when it is mounted on sites/, undefined when nothing
 * is. Anything else mounted there is refused: Berth never unmounts or mounts over what it did not make.
 */
async function mountedDisk(paths: DiskPaths): Promise<string | undefined> {
  const top = topMountAt(await readMounts(), paths.sites);
  if (!top) return undefined;
  const notOurs = () =>
    new RuntimeError(
      'LIMITS_FAILED',
      `${paths.sites} has ${top.source} (${top.fstype}) mounted on it, which is not the tenant's disk ${paths.image}; unmount it.`,
      {
        details: { mountPoint: paths.sites, source: top.source },
      },
    );
  if (!/^\/dev\/loop\d{1,4}$/.test(top.source)) throw notOurs();
  const backing = (
    await readFile(`/sys/block/${basename(top.source)}/loop/backing_file`, 'utf8').catch(() => '')
  ).trim();
  const image = await realpath(paths.image).catch(() => paths.image);
  if (backing !== image) throw notOurs();
  return assertLoopDevice(top.source);
}

/** stopTenantContainers stops the tenant's running containers (by Berth's labels): nothing may write its files while they move. */
async function stopTenantContainers(ctx: DockerDriver, tenantId: string): Promise<void> {
  const running = await callDocker('container list', () =>
    ctx.docker.listContainers({
      filters: { label: [`${LABELS.managed}=${ctx.instance}`, `${LABELS.tenant}=${tenantId}`] },
    }),
  );
  for (const c of running) {
    await ctx.docker
      .getContainer(c.Id)
      .stop({ t: 10 })
      .catch((err: unknown) => {
        if (!isNotFound(err) && (err as { statusCode?: number }).statusCode !== 304) throw err;
      });
  }
}

/**
 * createImage makes the tenant's filesystem image: a sparse file of the plan's size with ext4 in it, made
 * under another name and renamed when complete (so an existing `disk.img` is always a whole filesystem). A
 * tenant with files from before disks gets them copied in (mkfs.ext4 -d): its containers are stopped, sites/
 * is renamed to `sites.migrating` (so the copy is taken from a tree nobody writes), and the image is made big
 * enough for it. A pass killed half-way finds `sites.migrating` and copies from it again.
 */
async function createImage(
  ctx: DockerDriver,
  tenantId: string,
  paths: DiskPaths,
  wanted: number,
): Promise<'created' | 'migrated'> {
  let source: string | undefined;
  if (await exists(paths.staging)) {
    source = paths.staging;
  } else if (await hasEntries(paths.sites)) {
    const st = await lstat(paths.sites);
    if (!st.isDirectory())
      throw new RuntimeError(
        'LIMITS_FAILED',
        `${paths.sites} is not a directory; move it away so Berth can mount the tenant's disk there.`,
      );
    await stopTenantContainers(ctx, tenantId);
    await rename(paths.sites, paths.staging);
    source = paths.staging;
  }
  const size = source ? migrationBytes(wanted, await usedBytes(source)) : wanted;
  await rm(paths.fresh, { force: true });
  const file = await open(paths.fresh, 'wx', 0o600);
  try {
    await file.truncate(size);
  } finally {
    await file.close();
  }
  const mkfs = mkfsCommand(paths.fresh, source);
  await runHostCommand('mkfs.ext4', mkfs.options, mkfs.operands, { timeoutMs: 600_000 });
  await rename(paths.fresh, paths.image);
  ctx.logger?.info({ tenantId, bytes: size, migrated: source !== undefined }, 'runtime: tenant disk created');
  return source ? 'migrated' : 'created';
}

/**
 * prepareMountPoint leaves sites/ as the disk's mount point: an empty, root-owned directory made immutable
 * (chattr +i), so while the disk is not mounted (after a reboot, before the panel runs) nothing — a
 * container, the files API — can write beside the disk, outside its limit, into files the disk would hide.
 */
async function prepareMountPoint(paths: DiskPaths): Promise<void> {
  const st = await lstat(paths.sites).catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? undefined : Promise.reject(err),
  );
  if (!st) await mkdir(paths.sites, { mode: 0o755 });
  else if (!st.isDirectory())
    throw new RuntimeError(
      'LIMITS_FAILED',
      `${paths.sites} is not a directory; move it away so Berth can mount the tenant's disk there.`,
    );
  else if (await hasEntries(paths.sites))
    throw new RuntimeError(
      'LIMITS_FAILED',
      `${paths.sites} is not empty but the tenant's disk is not mounted on it; move its files away (or into the disk) and retry.`,
    );
  await runHostCommand('chattr', ['-i'], [paths.sites]);
  await chown(paths.sites, 0, 0);
  await chmod(paths.sites, 0o755);
  await runHostCommand('chattr', ['+i'], [paths.sites]);
}

/** mountDisk mounts the tenant's image on its (prepared) sites/ and returns the loop device. */
async function mountDisk(ctx: DockerDriver, tenantId: string, paths: DiskPaths): Promise<string> {
  await prepareMountPoint(paths);
  const mount = mountCommand(paths.image, paths.sites);
  await runHostCommand('mount', mount.options, mount.operands);
  const device = await mountedDisk(paths);
  if (!device) throw new RuntimeError('LIMITS_FAILED', `mount reported success but ${paths.sites} is not mounted.`);
  ctx.logger?.info({ tenantId, device }, 'runtime: tenant disk mounted');
  return device;
}

/** unmountDisk unmounts the tenant's own disk from sites/ (only a loop mount of its image). */
async function unmountDisk(tenantId: string, paths: DiskPaths): Promise<void> {
  while (await mountedDisk(paths)) {
    await runHostCommand('umount', [], [paths.sites]).catch((err: unknown) => {
      throw new RuntimeError(
        'LIMITS_FAILED',
        `Could not unmount the disk of tenant ${tenantId}: a process may be using ${paths.sites} (see fuser -vm ${paths.sites}). ${(err as Error).message}`,
        { cause: err },
      );
    });
  }
}

// resize2fs's words when the kernel refuses online resizing to a caller without CAP_SYS_RESOURCE (some
// container hosts drop it even for root).
const ONLINE_RESIZE_REFUSED = /Permission denied to resize filesystem|Operation not permitted/;

/**
 * growDisk makes the filesystem the plan's size: a larger plan grows the image (it stays sparse), tells the
 * loop device (losetup --set-capacity) and grows ext4 online (resize2fs). Where the kernel refuses online
 * growth, the tenant's containers are stopped, the disk unmounted, checked (e2fsck -f) and grown, and
 * mounted again; ensureTenantRuntime starts the containers again. A smaller plan is not applied: ext4 only
 * shrinks unmounted, so the disk keeps its size (the files API still holds uploads to the plan).
 * `state/disk.json` records the size ext4 was grown to, written last, so a pass killed in between finishes
 * the growth next time. Returns the device (a new one after an offline growth).
 */
async function growDisk(
  ctx: DockerDriver,
  tenantId: string,
  paths: DiskPaths,
  device: string,
  wanted: number,
): Promise<{ device: string; bytes: number; grown: boolean }> {
  let bytes = (await stat(paths.image)).size;
  if (wanted > bytes) {
    await truncate(paths.image, wanted);
    bytes = wanted;
  } else if (wanted < bytes) {
    ctx.logger?.warn(
      { tenantId, bytes, wanted },
      'runtime: the plan’s disk is smaller than the tenant’s filesystem; it is not shrunk',
    );
  }
  const recorded = await readFile(paths.state, 'utf8').then(
    (t) => (JSON.parse(t) as { bytes?: number }).bytes,
    () => undefined,
  );
  if (recorded === bytes) return { device, bytes, grown: false };
  const deviceBytes = Number((await readFile(`/sys/block/${basename(device)}/size`, 'utf8')).trim()) * 512;
  if (deviceBytes < bytes) await runHostCommand('losetup', ['--set-capacity', device], []);
  // Online growth; "Nothing to do!" (exit 0) when ext4 already fills the device.
  const online = await runHostCommand('resize2fs', [], [device], { timeoutMs: 600_000 }).then(
    () => true,
    (err: unknown) => {
      if (ONLINE_RESIZE_REFUSED.test(String((err as RuntimeError).details?.stderr ?? ''))) return false;
      throw err;
    },
  );
  if (!online) {
    ctx.logger?.warn(
      { tenantId, bytes },
      'runtime: the kernel refused to grow the tenant disk online (no CAP_SYS_RESOURCE); growing it unmounted, its containers stop meanwhile',
    );
    await stopTenantContainers(ctx, tenantId);
    await unmountDisk(tenantId, paths);
    await runHostCommand('e2fsck', ['-f', '-p'], [paths.image], { timeoutMs: 600_000, okExitCodes: [1] });
    await runHostCommand('resize2fs', [], [paths.image], { timeoutMs: 600_000 });
    device = await mountDisk(ctx, tenantId, paths);
  }
  await mkdir(join(paths.state, '..'), { recursive: true, mode: 0o700 });
  await writeFile(paths.state, JSON.stringify({ bytes }), { mode: 0o600 });
  const grown = recorded === undefined ? deviceBytes < bytes : recorded < bytes;
  if (grown) ctx.logger?.info({ tenantId, bytes, online }, 'runtime: tenant disk grown');
  return { device, bytes, grown };
}

/**
 * ensureTenantDisk enforces the plan's disk limit in the kernel: the tenant's sites/ is an ext4 filesystem
 * of its own (`disk.img`, a sparse file, loop-mounted `nodev,nosuid`), so a write past the limit fails with
 * ENOSPC for the tenant alone. It creates the image (copying in files from before disks), mounts it when it
 * is not (first time, after a reboot), and grows it online when the plan grew. Run before any container of
 * the tenant starts and before anything is written to its sites. The tenants directory is made a shared
 * mount first (ensureTenantsRootShared), so the edge and the tenant's containers see the disk whenever it
 * is mounted. Idempotent; a pass killed at any step is finished by the next.
 */
export async function ensureTenantDisk(
  ctx: DockerDriver,
  params: { tenantId: string; bytes: number },
): Promise<TenantDisk> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  const wanted = diskImageBytes(params.bytes);
  const tenants = await ensureTenantsRootShared(ctx, { recheck: true });
  const paths = diskPaths(tenants, tenantId);
  return withMountLock(`disk:${paths.root}`, async () => {
    await mkdir(paths.root, { recursive: true, mode: 0o755 });
    let action: TenantDisk['action'] = 'unchanged';
    let device = await mountedDisk(paths);
    if (!device) {
      if (!(await exists(paths.image))) action = await createImage(ctx, tenantId, paths, wanted);
      device = await mountDisk(ctx, tenantId, paths);
      if (action === 'unchanged') action = 'mounted';
    }
    // The old copy of a finished migration.
    await rm(paths.staging, { recursive: true, force: true });
    const grown = await growDisk(ctx, tenantId, paths, device, wanted);
    if (grown.grown && action === 'unchanged') action = 'grown';
    return { device: grown.device, bytes: grown.bytes, wantedBytes: wanted, action };
  });
}

/**
 * removeTenantDisk unmounts the tenant's disk and deletes its image (termination: its files go with it),
 * after its containers are gone. Only a loop mount of the tenant's own image is unmounted. Order: unmount,
 * make sites/ mutable again, delete the image last, so a pass killed in between still finds the image and
 * finishes. Returns whether the tenant had a disk.
 */
export async function removeTenantDisk(ctx: DockerDriver, params: { tenantId: string }): Promise<boolean> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  const paths = diskPaths(await tenantsRootPath(ctx), tenantId);
  return withMountLock(`disk:${paths.root}`, async () => {
    const had = (await exists(paths.image)) || (await exists(paths.fresh)) || (await exists(paths.staging));
    if (!had) return false;
    await unmountDisk(tenantId, paths);
    if (await exists(paths.sites)) await runHostCommand('chattr', ['-i'], [paths.sites]);
    await rm(paths.staging, { recursive: true, force: true });
    await rm(paths.fresh, { force: true });
    await rm(paths.state, { force: true });
    await rm(paths.image, { force: true });
    ctx.logger?.info({ tenantId }, 'runtime: tenant disk removed');
    return true;
  });
}

import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RuntimeError } from '../errors.js';
import { assertSlug } from '../inputs.guard.js';
import { callDocker } from '../docker/docker.driver.js';
import { runHostCommand } from '../host/host-command.js';
import { tenantDir } from '../docker/tenant-files.js';
import { LAYOUT } from '../layout.js';
import {
  CGROUP_CONTROLLERS,
  instanceCgroupPath,
  limitFiles,
  parseCgroupMounts,
  systemdSliceProperties,
  tenantCgroupParent,
  cgroupValuesOf,
  valueKey,
  widenedValues,
  UNLIMITED,
  type CgroupController,
  type CgroupHost,
  type CgroupValues,
} from '../cgroup/cgroup.layout.js';
import type { DockerDriver, ResourceLimits } from '../runtime.types.js';

/** CGROUP_ROOT is where the host mounts its cgroup filesystems; the panel must run on the engine's host. */
export const CGROUP_ROOT = '/sys/fs/cgroup';

const hosts = new WeakMap<DockerDriver, Promise<CgroupHost>>();

/**
 * cgroupHostOf asks the engine once per driver which cgroup driver and version it uses (`docker info`:
 * CgroupDriver, CgroupVersion); an engine too old to say the version is v2 when the root has
 * `cgroup.controllers`.
 */
export function cgroupHostOf(ctx: DockerDriver): Promise<CgroupHost> {
  let host = hosts.get(ctx);
  if (!host) {
    host = (async (): Promise<CgroupHost> => {
      const info = (await callDocker('info', () => ctx.docker.info())) as {
        CgroupDriver?: string;
        CgroupVersion?: string;
      };
      const driver = info.CgroupDriver === 'systemd' ? 'systemd' : 'cgroupfs';
      if (info.CgroupDriver && info.CgroupDriver !== driver) {
        throw new RuntimeError(
          'LIMITS_FAILED',
          `The Docker engine uses the cgroup driver ${JSON.stringify(info.CgroupDriver)}; Berth supports cgroupfs and systemd.`,
        );
      }
      const version =
        info.CgroupVersion === '2'
          ? 2
          : info.CgroupVersion === '1'
            ? 1
            : await readFile(join(CGROUP_ROOT, 'cgroup.controllers')).then(
                () => 2 as const,
                () => 1 as const,
              );
      return { driver, version, root: CGROUP_ROOT };
    })();
    host.catch(() => hosts.delete(ctx));
    hosts.set(ctx, host);
  }
  return host;
}

function failed(what: string, err: unknown, details: Record<string, unknown> = {}): RuntimeError {
  const msg = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
  return new RuntimeError('LIMITS_FAILED', `Could not ${what}: ${msg}`, {
    cause: err,
    details: { ...details, error: msg },
  });
}

function isErrno(err: unknown, ...codes: string[]): boolean {
  return codes.includes((err as NodeJS.ErrnoException)?.code ?? '');
}

async function cgroupMounts(host: CgroupHost): Promise<Array<{ mountPoint: string; controllers: string[] }>> {
  if (host.version === 2) return [{ mountPoint: host.root, controllers: [...CGROUP_CONTROLLERS] }];
  return parseCgroupMounts(await readFile('/proc/self/mountinfo', 'utf8'), host.root);
}

/** controllerDirs is the directory of a cgroupfs path in the hierarchy of each limited controller. */
async function controllerDirs(host: CgroupHost, path: string): Promise<Record<CgroupController, string>> {
  const mounts = await cgroupMounts(host);
  const dirs = {} as Record<CgroupController, string>;
  for (const c of CGROUP_CONTROLLERS) {
    const m = mounts.find((x) => x.controllers.includes(c));
    if (!m)
      throw new RuntimeError(
        'LIMITS_FAILED',
        `The host has no cgroup v1 hierarchy with the ${c} controller under ${host.root}; mount it, or run the engine on cgroup v2.`,
      );
    dirs[c] = join(m.mountPoint, path);
  }
  return dirs;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw failed(`read ${file}`, err, { file });
  }
}

async function writeText(file: string, value: string): Promise<void> {
  try {
    await writeFile(file, value);
  } catch (err) {
    throw failed(`write ${value} to ${file}`, err, { file, value });
  }
}

/** enableControllers adds cpu, memory and pids to a v2 cgroup's subtree_control (only what is missing; never removes). */
async function enableControllers(dir: string): Promise<void> {
  const file = join(dir, 'cgroup.subtree_control');
  const enabled = new Set(((await readText(file)) ?? '').trim().split(/\s+/));
  const missing = CGROUP_CONTROLLERS.filter((c) => !enabled.has(c));
  if (missing.length > 0) await writeText(file, missing.map((c) => `+${c}`).join(' '));
}

async function systemctl(options: string[], operands: string[]): Promise<void> {
  await runHostCommand('systemctl', options, operands, { timeoutMs: 30_000 });
}

async function readValues(dirs: Record<CgroupController, string>, version: 1 | 2): Promise<CgroupValues> {
  const values: CgroupValues = { memoryBytes: UNLIMITED, cpuQuotaUs: UNLIMITED, pids: UNLIMITED };
  for (const f of limitFiles(version)) {
    if (!f.parse) continue;
    const text = await readText(join(dirs[f.controller], f.file));
    if (text !== undefined) values[valueKey(f)] = f.parse(text);
  }
  return values;
}

/**
 * writeValues writes the limit files that differ from `target`. v1 wants memory+swap ≥ memory at every
 * moment: memsw goes first when memory grows, last when it shrinks.
 */
async function writeValues(
  dirs: Record<CgroupController, string>,
  version: 1 | 2,
  current: CgroupValues,
  target: CgroupValues,
): Promise<void> {
  let files = limitFiles(version);
  if (version === 1 && target.memoryBytes > current.memoryBytes) {
    const memsw = files.filter((f) => f.file === 'memory.memsw.limit_in_bytes');
    files = [...memsw, ...files.filter((f) => f.file !== 'memory.memsw.limit_in_bytes')];
  }
  for (const f of files) {
    const file = join(dirs[f.controller], f.file);
    const value = f.format(target);
    const now = await readText(file);
    if (now === undefined) {
      if (f.optional) continue;
      throw new RuntimeError(
        'LIMITS_FAILED',
        `The cgroup file ${file} is missing; is the ${f.controller} controller enabled?`,
        { details: { file } },
      );
    }
    if (now.trim() !== value) await writeText(file, value);
  }
}

/**
 * The record of a tenant's cgroup (`state/cgroup.json`), written before the cgroup is created: removal
 * follows it (and needs no engine), and a tenant without one never had a cgroup.
 */
interface CgroupRecord {
  parent: string;
  host: CgroupHost;
}

function recordPath(ctx: DockerDriver, tenantId: string): string {
  return join(tenantDir(ctx, tenantId), LAYOUT.state, 'cgroup.json');
}

async function readRecord(ctx: DockerDriver, tenantId: string): Promise<CgroupRecord | undefined> {
  const text = await readText(recordPath(ctx, tenantId));
  return text === undefined ? undefined : (JSON.parse(text) as CgroupRecord);
}

async function writeRecord(ctx: DockerDriver, tenantId: string, record: CgroupRecord): Promise<void> {
  const file = recordPath(ctx, tenantId);
  if ((await readText(file)) === JSON.stringify(record)) return;
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
  await writeFile(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** TenantCgroup is where a tenant's containers go: the value of their HostConfig.CgroupParent. */
export interface TenantCgroup {
  parent: string;
}

/**
 * ensureTenantCgroup makes the tenant's parent cgroup hold the plan's totals (CPU, memory without extra
 * swap, processes) for all of its containers together; each container's own HostConfig limits are only a cap
 * inside it. cgroupfs driver: it creates `/berth-<installation>/<tenant>` in the cpu, memory and pids
 * hierarchies (v1) or in the unified tree, enabling those controllers in the parents' subtree_control (v2),
 * and writes the limit files. systemd driver: `systemctl set-property --runtime` on the tenant's slice.
 *
 * `mode: 'widen'` runs before containers change: every limit becomes the larger of old and new (a new cgroup
 * gets the new values at once), so no container start or cap change is refused on the way; `mode: 'exact'`
 * runs after and writes the plan's values. A pass killed in between leaves the wider values until the next
 * pass. Idempotent: files already right are not written.
 */
export async function ensureTenantCgroup(
  ctx: DockerDriver,
  params: { tenantId: string; limits: ResourceLimits; mode: 'widen' | 'exact' },
): Promise<TenantCgroup> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  const host = await cgroupHostOf(ctx);
  const parent = tenantCgroupParent(host, ctx.instance, tenantId);
  await writeRecord(ctx, tenantId, { parent, host });
  if (host.driver === 'systemd') {
    await systemctl(['--runtime'], ['set-property', parent, ...systemdSliceProperties(params.limits)]);
    return { parent };
  }
  const target = await convergeCgroupfs(host, {
    instance: ctx.instance,
    parent,
    limits: params.limits,
    mode: params.mode,
  });
  ctx.logger?.debug({ tenantId, parent, mode: params.mode, target }, 'runtime: tenant cgroup converged');
  return { parent };
}

/**
 * convergeCgroupfs is ensureTenantCgroup's cgroupfs half on a given host (root): creates the tenant's
 * cgroup, enables the controllers on the way down (v2), and writes the limits. Returns what it wrote.
 */
export async function convergeCgroupfs(
  host: CgroupHost,
  params: { instance: string; parent: string; limits: ResourceLimits; mode: 'widen' | 'exact' },
): Promise<CgroupValues> {
  const next = cgroupValuesOf(params.limits);
  const instance = instanceCgroupPath(params.instance);
  if (host.version === 2) {
    await enableControllers(host.root);
    await mkdir(join(host.root, instance), { recursive: true }).catch((err: unknown) =>
      Promise.reject(failed(`create ${instance}`, err)),
    );
    await enableControllers(join(host.root, instance));
  }
  const dirs = await controllerDirs(host, params.parent);
  for (const dir of new Set(Object.values(dirs))) {
    await mkdir(dir, { recursive: true }).catch((err: unknown) =>
      Promise.reject(failed(`create the cgroup ${dir}`, err, { dir })),
    );
  }
  if (host.version === 2) await enableControllers(dirs.memory);
  const current = await readValues(dirs, host.version);
  const target = params.mode === 'widen' ? widenedValues(current, next) : next;
  await writeValues(dirs, host.version, current, target);
  return target;
}

/** readTenantCgroupValues reads a cgroupfs tenant cgroup's limits as the kernel holds them (UNLIMITED when unset). */
export async function readTenantCgroupValues(
  ctx: DockerDriver,
  tenantId: string,
): Promise<CgroupValues & { dirs: Record<CgroupController, string> }> {
  const host = await cgroupHostOf(ctx);
  if (host.driver === 'systemd')
    throw new RuntimeError(
      'INVALID_INPUT',
      'With the systemd driver, ask systemd (systemctl show) for a slice’s limits.',
    );
  const dirs = await controllerDirs(host, tenantCgroupParent(host, ctx.instance, assertSlug(tenantId, 'tenant id')));
  return { ...(await readValues(dirs, host.version)), dirs };
}

/** removeCgroupTree removes a cgroup directory and the (empty) cgroups below it, deepest first. */
async function removeCgroupTree(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw failed(`list ${dir}`, err, { dir });
  }
  for (const name of entries) await removeCgroupTree(join(dir, name));
  // A container's last processes may still be exiting right after it was removed: EBUSY clears in a moment.
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      if (isErrno(err, 'EBUSY') && attempt < 10) {
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
        continue;
      }
      throw failed(`remove the cgroup ${dir}`, err, { dir });
    }
  }
}

/**
 * removeTenantCgroup removes the tenant's parent cgroup once its containers are gone (in every hierarchy runc
 * created it in), and the installation's `/berth-<installation>` when no tenant is left under it; systemd
 * driver: stops the slice and drops its runtime properties. It follows the tenant's record (state/cgroup.json),
 * so only what ensureTenantCgroup made is touched, and forgets it last. Idempotent.
 */
export async function removeTenantCgroup(ctx: DockerDriver, params: { tenantId: string }): Promise<void> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  const record = await readRecord(ctx, tenantId);
  if (!record) return;
  const { host } = record;
  const parent = tenantCgroupParent(host, ctx.instance, tenantId);
  if (host.driver === 'systemd') {
    await systemctl([], ['stop', parent]);
    await systemctl([], ['revert', parent]);
    await rm(recordPath(ctx, tenantId), { force: true });
    return;
  }
  const instance = instanceCgroupPath(ctx.instance);
  for (const m of await cgroupMounts(host)) {
    await removeCgroupTree(join(m.mountPoint, parent));
    await rmdir(join(m.mountPoint, instance)).catch((err: unknown) => {
      // Another tenant still has its cgroup there (EBUSY/ENOTEMPTY), or it is gone already.
      if (!isErrno(err, 'ENOENT', 'EBUSY', 'ENOTEMPTY'))
        throw failed(`remove the cgroup ${join(m.mountPoint, instance)}`, err);
    });
  }
  await rm(recordPath(ctx, tenantId), { force: true });
  ctx.logger?.info({ tenantId, parent }, 'runtime: tenant cgroup removed');
}

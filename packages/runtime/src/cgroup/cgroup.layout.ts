import { RuntimeError } from '../errors.js';
import { assertPositiveInt, assertSlug } from '../inputs.guard.js';
import type { ResourceLimits } from '../runtime.types.js';

// Where a tenant's cgroup lives and what its limit files say, decided here once and pure (tested without a
// kernel). The effects (mkdir, writes, rmdir, systemctl) are in operations/tenant-cgroup.ts.

/** CgroupHost is how the engine's host runs cgroups: Docker's cgroup driver, the cgroup version, and the mount. */
export interface CgroupHost {
  driver: 'cgroupfs' | 'systemd';
  version: 1 | 2;
  /** Where the cgroup filesystems are mounted (`/sys/fs/cgroup`). */
  root: string;
}

/** CGROUP_CONTROLLERS are the controllers a tenant's cgroup limits. */
export const CGROUP_CONTROLLERS = ['cpu', 'memory', 'pids'] as const;
export type CgroupController = (typeof CGROUP_CONTROLLERS)[number];

const INSTANCE_RE = /^[a-z0-9]{1,32}$/;

/**
 * tenantCgroupParent is the HostConfig.CgroupParent of every container of a tenant. With the cgroupfs driver
 * it is the absolute path `/berth-<installation>/<tenant>` (runc puts each container in `<it>/<container id>`
 * in every hierarchy); with the systemd driver it is a slice, `berth-<installation>-<tenant>.slice`, where
 * systemd reads each `-` as one level down, so the tenant's own dashes are escaped (`\x2d`): tenant `a` and
 * tenant `a-b` must not nest. Both names carry the installation, so panels sharing an engine never meet.
 */
export function tenantCgroupParent(host: Pick<CgroupHost, 'driver'>, instance: string, tenantId: string): string {
  if (!INSTANCE_RE.test(instance))
    throw new RuntimeError('INVALID_INPUT', `Invalid installation id ${JSON.stringify(instance)}.`);
  const tenant = assertSlug(tenantId, 'tenant id');
  return host.driver === 'systemd'
    ? `berth-${instance}-${tenant.replaceAll('-', '\\x2d')}.slice`
    : `/berth-${instance}/${tenant}`;
}

/** instanceCgroupPath is the cgroupfs parent of all of an installation's tenants (`/berth-<installation>`). */
export function instanceCgroupPath(instance: string): string {
  if (!INSTANCE_RE.test(instance))
    throw new RuntimeError('INVALID_INPUT', `Invalid installation id ${JSON.stringify(instance)}.`);
  return `/berth-${instance}`;
}

/** UNLIMITED marks a limit file that says `max` (v2), `-1` (v1 CPU) or the v1 memory ceiling. */
export const UNLIMITED = Number.POSITIVE_INFINITY;

/** CgroupValues are a cgroup's limits in one unit per controller, whatever the version writes them as. */
export interface CgroupValues {
  memoryBytes: number;
  /** CPU time per `CPU_PERIOD_US`, in µs. */
  cpuQuotaUs: number;
  pids: number;
}

/** CPU_PERIOD_US is the CFS period Berth writes quotas against (the kernel's and Docker's default, 100 ms). */
export const CPU_PERIOD_US = 100_000;

/** cgroupValuesOf turns a plan's totals into cgroup values (quota at least 1 ms per period, the kernel's floor). */
export function cgroupValuesOf(limits: ResourceLimits): CgroupValues {
  const nanoCpus = assertPositiveInt(limits.nanoCpus, 'tenant CPU limit', 10_000_000);
  return {
    memoryBytes: assertPositiveInt(limits.memoryBytes, 'tenant memory limit', 6 * 1024 * 1024),
    cpuQuotaUs: Math.max(1_000, Math.round((nanoCpus / 1e9) * CPU_PERIOD_US)),
    pids: assertPositiveInt(limits.pids, 'tenant pids limit', 8),
  };
}

/**
 * widenedValues is what a cgroup may hold while its containers are being changed: for each limit the larger
 * of what it has and what it will have, so no write in between is refused (cgroup v1 refuses a parent CPU
 * quota below a child's) and nothing shrinks under a running container before its own cap did. A limit that
 * is not set yet (a new cgroup) takes the new value at once: containers never start unlimited.
 */
export function widenedValues(current: CgroupValues, next: CgroupValues): CgroupValues {
  const widen = (cur: number, want: number) => (cur === UNLIMITED ? want : Math.max(cur, want));
  return {
    memoryBytes: widen(current.memoryBytes, next.memoryBytes),
    cpuQuotaUs: widen(current.cpuQuotaUs, next.cpuQuotaUs),
    pids: widen(current.pids, next.pids),
  };
}

/** LimitFile is one file of a controller's directory, how to read it and what to write to it. */
export interface LimitFile {
  controller: CgroupController;
  file: string;
  /** The text written for a value. */
  format: (v: CgroupValues) => string;
  /** The value the file holds (UNLIMITED for "max"/-1); undefined for files only written. */
  parse?: (text: string) => number;
  /** Absent on some kernels (v1 without swap accounting, v2 without swap): skipped when missing. */
  optional?: boolean;
}

// The v1 memory ceiling is PAGE_COUNTER_MAX pages: 9223372036854771712 with 4 KiB pages. Anything that large
// is "no limit".
const V1_MEMORY_UNLIMITED = 2 ** 62;

function parseMax(text: string): number {
  const t = text.trim();
  if (t === 'max') return UNLIMITED;
  const n = Number(t);
  if (!Number.isFinite(n)) throw new RuntimeError('LIMITS_FAILED', `Unexpected cgroup value ${JSON.stringify(t)}.`);
  return n;
}

/**
 * limitFiles lists, in write order, the files that hold a tenant cgroup's limits. v1: `memory.limit_in_bytes`
 * and `memory.memsw.limit_in_bytes` (memory plus swap: the same, so no swap on top, like the containers'
 * MemorySwap), `cpu.cfs_quota_us` against the 100 ms period, `pids.max`. v2: `memory.max`, `memory.swap.max`
 * = 0, `cpu.max` = "<quota> <period>", `pids.max`. (v1 needs memsw ≥ memory at every moment; the writer
 * orders those two by direction.)
 */
export function limitFiles(version: 1 | 2): LimitFile[] {
  if (version === 1) {
    return [
      {
        controller: 'memory',
        file: 'memory.limit_in_bytes',
        format: (v) => String(v.memoryBytes),
        parse: (t) => (Number(t.trim()) >= V1_MEMORY_UNLIMITED ? UNLIMITED : parseMax(t)),
      },
      {
        controller: 'memory',
        file: 'memory.memsw.limit_in_bytes',
        format: (v) => String(v.memoryBytes),
        optional: true,
      },
      {
        controller: 'cpu',
        file: 'cpu.cfs_quota_us',
        format: (v) => String(v.cpuQuotaUs),
        parse: (t) => (t.trim() === '-1' ? UNLIMITED : parseMax(t)),
      },
      { controller: 'pids', file: 'pids.max', format: (v) => String(v.pids), parse: parseMax },
    ];
  }
  return [
    { controller: 'memory', file: 'memory.max', format: (v) => String(v.memoryBytes), parse: parseMax },
    { controller: 'memory', file: 'memory.swap.max', format: () => '0', optional: true },
    {
      controller: 'cpu',
      file: 'cpu.max',
      format: (v) => `${v.cpuQuotaUs} ${CPU_PERIOD_US}`,
      parse: (t) => parseMax(t.trim().split(/\s+/)[0] ?? ''),
    },
    { controller: 'pids', file: 'pids.max', format: (v) => String(v.pids), parse: parseMax },
  ];
}

/** valueKey says which CgroupValues field a readable limit file holds. */
export function valueKey(file: LimitFile): keyof CgroupValues {
  return file.controller === 'memory' ? 'memoryBytes' : file.controller === 'cpu' ? 'cpuQuotaUs' : 'pids';
}

/**
 * systemdSliceProperties are the `systemctl set-property` assignments that give a slice the plan's totals
 * (the systemd driver owns the slice's cgroup files; systemd writes them from these).
 */
export function systemdSliceProperties(limits: ResourceLimits): string[] {
  const v = cgroupValuesOf(limits);
  // CPUQuota is a percentage of one CPU; systemd accepts fractions down to 0.01 %.
  const percent = Math.max(1, Math.round((v.cpuQuotaUs / CPU_PERIOD_US) * 10_000)) / 100;
  return [`MemoryMax=${v.memoryBytes}`, 'MemorySwapMax=0', `CPUQuota=${percent}%`, `TasksMax=${v.pids}`];
}

// Mount options of a v1 cgroup mount that are not controllers.
const V1_MOUNT_OPTIONS = new Set(['rw', 'ro', 'xattr', 'noprefix', 'clone_children', 'cpuset_v2_mode', 'favordynmods']);

/**
 * parseCgroupMounts reads `/proc/self/mountinfo` text and returns the mount point of every cgroup v1
 * hierarchy under `root` with the controllers it carries (a `name=` hierarchy has none), plus the v2 mount
 * of a hybrid host. runc creates a container's parent path in each of them.
 *
 *   35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
 *   41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
 */
export function parseCgroupMounts(
  mountinfo: string,
  root: string,
): Array<{ mountPoint: string; controllers: string[] }> {
  const out: Array<{ mountPoint: string; controllers: string[] }> = [];
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const mountPoint = pre.split(' ')[4];
    const [fstype, , superOptions] = post.split(' ');
    if (!mountPoint || (fstype !== 'cgroup' && fstype !== 'cgroup2')) continue;
    if (mountPoint !== root && !mountPoint.startsWith(`${root}/`)) continue;
    const controllers =
      fstype === 'cgroup'
        ? (superOptions ?? '').split(',').filter((o) => /^[a-z_]+$/.test(o) && !V1_MOUNT_OPTIONS.has(o))
        : [];
    out.push({ mountPoint, controllers });
  }
  return out;
}

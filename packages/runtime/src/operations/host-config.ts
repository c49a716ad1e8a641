import type Docker from 'dockerode';
import { RuntimeError } from '../errors.js';
import { assertPositiveInt } from '../inputs.guard.js';
import type { ResourceLimits } from '../runtime.types.js';

/** TMP_MIB is the size of the /tmp every tenant container gets (tmpfs: its pages count in the container's memory). */
export const TMP_MIB = 64;

/**
 * ScratchDir is a directory a server writes at run time although its root filesystem is read-only (a pid
 * file, temp files, a work dir): a root-owned tmpfs of `sizeMiB`, `nosuid,nodev` and `noexec` unless `exec`
 * (Varnish loads the VCL it compiled from its work dir). `mode` (default 0755) applies only where the image
 * has no such directory: runc gives a tmpfs over an existing directory that directory's mode.
 */
export interface ScratchDir {
  path: string;
  sizeMiB: number;
  mode?: number;
  exec?: boolean;
}

/**
 * scratchTmpfs is the HostConfig.Tmpfs map for a container's scratch dirs: `/tmp` (TMP_MIB unless `tmpMiB`,
 * 1777) and the role's own ones. Every path and size is checked here: they end up in mount options.
 */
export function scratchTmpfs(dirs: readonly ScratchDir[], tmpMiB = TMP_MIB): Record<string, string> {
  const all: ScratchDir[] = [{ path: '/tmp', sizeMiB: tmpMiB, mode: 0o1777 }, ...dirs];
  const out: Record<string, string> = {};
  for (const d of all) {
    if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(d.path) || d.path.split('/').some((seg) => seg === '.' || seg === '..'))
      throw new RuntimeError('INVALID_INPUT', `Invalid scratch dir ${JSON.stringify(d.path)}.`);
    if (out[d.path] !== undefined) throw new RuntimeError('INVALID_INPUT', `Scratch dir ${d.path} is listed twice.`);
    const size = assertPositiveInt(d.sizeMiB, 'scratch dir size (MiB)');
    const mode = d.mode ?? 0o755;
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)
      throw new RuntimeError('INVALID_INPUT', `Invalid mode for scratch dir ${d.path}.`);
    out[d.path] = `rw,nosuid,nodev,${d.exec ? 'exec' : 'noexec'},size=${size}m,mode=${mode.toString(8)}`;
  }
  return out;
}

/**
 * hardenedHostConfig is the HostConfig every tenant container gets: no privilege escalation, all
 * capabilities dropped except the few a role names (each ensure* documents why), its own caps on CPU,
 * memory (no extra swap) and processes inside the tenant's parent cgroup (which holds the plan's totals for
 * all of the tenant's containers together), the tenant bridge only (never host networking, never the Docker
 * socket: binds are only the ones passed in), restart unless stopped, bounded json logs, and a read-only
 * root filesystem: a process can write only its binds and its size-limited scratch tmpfs (`/tmp` and the
 * role's `scratch` dirs), so nothing it drops survives a restart or fills the engine's disk.
 */
export function hardenedHostConfig(args: {
  network: string;
  limits: ResourceLimits;
  capAdd: string[];
  binds: string[];
  portBindings?: Docker.PortMap;
  /** The role's writable run-time dirs besides /tmp. */
  scratch: readonly ScratchDir[];
  /** Size of /tmp in MiB (default TMP_MIB). */
  tmpMiB?: number;
  /** The tenant's parent cgroup (ensureTenantCgroup), which holds the plan's totals for all its containers. */
  cgroupParent?: string;
}): Docker.HostConfig {
  const memory = assertPositiveInt(args.limits.memoryBytes, 'memory limit', 6 * 1024 * 1024);
  if (args.cgroupParent !== undefined && !/^[A-Za-z0-9_./\\-]{1,200}$/.test(args.cgroupParent)) {
    throw new RuntimeError('INVALID_INPUT', `Invalid cgroup parent ${JSON.stringify(args.cgroupParent)}.`);
  }
  for (const b of args.binds) {
    if (b.includes('docker.sock'))
      throw new RuntimeError('INVALID_INPUT', 'Refusing to mount the Docker socket into a tenant container.');
  }
  return {
    NetworkMode: args.network,
    RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
    SecurityOpt: ['no-new-privileges:true'],
    CapDrop: ['ALL'],
    CapAdd: [...args.capAdd].sort(),
    NanoCpus: assertPositiveInt(args.limits.nanoCpus, 'CPU limit', 10_000_000),
    Memory: memory,
    MemorySwap: memory,
    PidsLimit: assertPositiveInt(args.limits.pids, 'pids limit', 8),
    Binds: args.binds,
    ReadonlyRootfs: true,
    Tmpfs: scratchTmpfs(args.scratch, args.tmpMiB),
    ...(args.cgroupParent ? { CgroupParent: args.cgroupParent } : {}),
    PortBindings: args.portBindings ?? {},
    LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
  };
}

/** publishOnLoopback publishes one container port on 127.0.0.1:<hostPort> only (the panel and Caddy reach it there). */
export function publishOnLoopback(
  containerPort: number,
  hostPort: number,
): { exposed: Record<string, object>; bindings: Docker.PortMap } {
  const key = `${containerPort}/tcp`;
  return { exposed: { [key]: {} }, bindings: { [key]: [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] } };
}

/** networkAttachment joins the tenant bridge under the given DNS aliases. */
export function networkAttachment(
  network: string,
  aliases: string[],
): Docker.ContainerCreateOptions['NetworkingConfig'] {
  return { EndpointsConfig: { [network]: { Aliases: aliases } } };
}

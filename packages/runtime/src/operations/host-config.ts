import type Docker from 'dockerode';
import { RuntimeError } from '../errors.js';
import { assertPositiveInt } from '../inputs.guard.js';
import type { ResourceLimits } from '../runtime.types.js';

/**
 * hardenedHostConfig is the HostConfig every tenant container gets: no privilege escalation, all
 * capabilities dropped except the few a role names (each ensure* documents why), plan limits on CPU,
 * memory (no extra swap) and processes, the tenant bridge only (never host networking, never the Docker
 * socket: binds are only the ones passed in), restart unless stopped, bounded json logs.
 */
export function hardenedHostConfig(args: {
  network: string;
  limits: ResourceLimits;
  capAdd: string[];
  binds: string[];
  portBindings?: Docker.PortMap;
}): Docker.HostConfig {
  const memory = assertPositiveInt(args.limits.memoryBytes, 'memory limit', 6 * 1024 * 1024);
  for (const b of args.binds) {
    if (b.includes('docker.sock')) throw new RuntimeError('INVALID_INPUT', 'Refusing to mount the Docker socket into a tenant container.');
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
    PortBindings: args.portBindings ?? {},
    LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
  };
}

/** publishOnLoopback publishes one container port on 127.0.0.1:<hostPort> only (the panel and Caddy reach it there). */
export function publishOnLoopback(containerPort: number, hostPort: number): { exposed: Record<string, object>; bindings: Docker.PortMap } {
  const key = `${containerPort}/tcp`;
  return { exposed: { [key]: {} }, bindings: { [key]: [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] } };
}

/** networkAttachment joins the tenant bridge under the given DNS aliases. */
export function networkAttachment(network: string, aliases: string[]): Docker.ContainerCreateOptions['NetworkingConfig'] {
  return { EndpointsConfig: { [network]: { Aliases: aliases } } };
}

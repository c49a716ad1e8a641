import { mkdir, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveImage } from '../catalog.js';
import { ensureContainer, type EnsureResult } from '../docker/container.ops.js';
import { callDocker, isNotFound } from '../docker/docker.driver.js';
import { RuntimeError } from '../errors.js';
import { LABELS } from '../labels.js';
import type { DockerDriver } from '../runtime.types.js';

/** EDGE_OWNER is the `berth.tenant` label of the edge container: it belongs to the panel, not to a tenant. */
export const EDGE_OWNER = 'berth-edge';
/** edgeContainerName is the managed Caddy's name; one per installation. */
export function edgeContainerName(ctx: DockerDriver): string {
  return `berth-edge-${ctx.instance}`;
}

/** EdgeSpec is the managed Caddy: where its files live and the public ports it binds on the host. */
export interface EdgeSpec {
  /** Caddy's own directory: `Caddyfile`, `admin/` (0700, the admin socket), `storage/` (certificates), `logs/`, `certs/`. */
  caddyDir: string;
  /** `<dataDir>/tenants`, mounted read-only at the same path so Caddy serves /static and /media from disk. */
  tenantsDir: string;
  /** The rendered Caddyfile.template (global options only). */
  caddyfile: string;
  httpPort: number;
  httpsPort: number;
}

/** edgePaths are the paths inside `caddyDir` that the panel and Caddy agree on. */
export function edgePaths(caddyDir: string) {
  return {
    caddyfile: join(caddyDir, 'Caddyfile'),
    adminDir: join(caddyDir, 'admin'),
    adminSocket: join(caddyDir, 'admin', 'admin.sock'),
    storage: join(caddyDir, 'storage'),
    logs: join(caddyDir, 'logs'),
    certs: join(caddyDir, 'certs'),
    localRoot: join(caddyDir, 'storage', 'pki', 'authorities', 'local', 'root.crt'),
  };
}

/**
 * ensureEdge runs Caddy as a managed container: host networking (it owns the public ports and reaches the
 * tenants' 127.0.0.1 ports), only NET_BIND_SERVICE, its admin API on a unix socket in a 0700 directory
 * (no tenant container can reach it: they have no host network and no such mount), certificate storage
 * under `caddyDir` so it survives restarts. Routes are not part of the container: the panel pushes them.
 */
export async function ensureEdge(ctx: DockerDriver, spec: EdgeSpec): Promise<EnsureResult> {
  const paths = edgePaths(spec.caddyDir);
  await mkdir(paths.adminDir, { recursive: true, mode: 0o700 });
  await mkdir(paths.storage, { recursive: true, mode: 0o700 });
  await mkdir(paths.logs, { recursive: true, mode: 0o750 });
  await mkdir(paths.certs, { recursive: true, mode: 0o700 });
  await mkdir(spec.tenantsDir, { recursive: true, mode: 0o755 });
  const tmp = `${paths.caddyfile}.tmp`;
  await writeFile(tmp, spec.caddyfile, { mode: 0o644 });
  await rename(tmp, paths.caddyfile);
  return ensureContainer(ctx, {
    tenantId: EDGE_OWNER,
    component: 'edge',
    name: edgeContainerName(ctx),
    image: resolveImage(ctx.profile, { role: 'caddy' }),
    labels: { [LABELS.managed]: ctx.instance, [LABELS.tenant]: EDGE_OWNER, [LABELS.role]: 'edge', [LABELS.component]: 'edge' },
    // The ports and the Caddyfile's content are part of the spec: changing them replaces the container.
    create: {
      Cmd: ['caddy', 'run', '--config', paths.caddyfile, '--adapter', 'caddyfile'],
      Env: [`BERTH_EDGE_PORTS=${spec.httpPort},${spec.httpsPort}`, `BERTH_EDGE_CADDYFILE=${Buffer.from(spec.caddyfile).toString('base64')}`],
      HostConfig: {
        NetworkMode: 'host',
        RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
        SecurityOpt: ['no-new-privileges:true'],
        CapDrop: ['ALL'],
        CapAdd: ['CAP_NET_BIND_SERVICE'],
        Binds: [`${spec.caddyDir}:${spec.caddyDir}`, `${spec.tenantsDir}:${spec.tenantsDir}:ro`],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
      },
    },
    exclusivePorts: true,
    settleMs: 400,
  });
}

/** removeEdge stops and removes the managed Caddy (certificates stay in `caddyDir`). */
export async function removeEdge(ctx: DockerDriver): Promise<void> {
  try {
    await ctx.docker.getContainer(edgeContainerName(ctx)).remove({ force: true });
  } catch (err) {
    if (isNotFound(err)) return;
    await callDocker('container remove', () => Promise.reject(err));
  }
}

/** assertEdgePorts refuses public ports Caddy cannot use before anything is started. */
export function assertEdgePorts(spec: Pick<EdgeSpec, 'httpPort' | 'httpsPort'>): void {
  for (const port of [spec.httpPort, spec.httpsPort]) {
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RuntimeError('INVALID_INPUT', `Edge port ${port} is not a valid port.`);
  }
}

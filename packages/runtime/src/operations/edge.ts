import { chown, mkdir, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveImage } from '../catalog.js';
import { ensureContainer, type EnsureResult } from '../docker/container.ops.js';
import { callDocker, isNotFound } from '../docker/docker.driver.js';
import { RuntimeError } from '../errors.js';
import { LABELS } from '../labels.js';
import { ensureTenantsRootShared } from '../disk/shared-mount.js';
import type { DockerDriver } from '../runtime.types.js';

/** EDGE_OWNER is the `berth.tenant` label of the edge container: it belongs to the panel, not to a tenant. */
export const EDGE_OWNER = 'berth-edge';
/** edgeContainerName is the managed Caddy's name; one per installation. */
export function edgeContainerName(ctx: DockerDriver): string {
  return `berth-edge-${ctx.instance}`;
}

/**
 * EDGE_UID is the unprivileged user the managed Caddy runs as. It owns only Caddy's own directories
 * (admin socket, certificate storage, host table snapshot, access logs); tenants' files are mounted
 * read-only and are readable to it only where the tenant left them world-readable, as a webserver's are.
 */
export const EDGE_UID = 1990;

/** EdgeSpec is the managed Caddy: where its files live, its skeleton config and the public ports it binds. */
export interface EdgeSpec {
  /** Caddy's own directory: `caddy.json`, `admin/` (0700, the admin socket), `storage/`, `table/`, `logs/`. */
  caddyDir: string;
  /** `<dataDir>/tenants`, mounted read-only at the same path so Caddy serves /static and /media from disk. */
  tenantsDir: string;
  /** The skeleton config (JSON text): Caddy starts from it, and from its host table snapshot, with or without the panel. */
  skeleton: string;
  httpPort: number;
  httpsPort: number;
}

/** edgePaths are the paths inside `caddyDir` that the panel and Caddy agree on. */
export function edgePaths(caddyDir: string) {
  return {
    config: join(caddyDir, 'caddy.json'),
    adminDir: join(caddyDir, 'admin'),
    adminSocket: join(caddyDir, 'admin', 'admin.sock'),
    storage: join(caddyDir, 'storage'),
    tableDir: join(caddyDir, 'table'),
    snapshot: join(caddyDir, 'table', 'hosts.json'),
    logs: join(caddyDir, 'logs'),
    home: join(caddyDir, 'home'),
    localRoot: join(caddyDir, 'storage', 'pki', 'authorities', 'local', 'root.crt'),
  };
}

/**
 * ensureEdge runs Berth's Caddy build as a managed container: host networking (it owns the public ports
 * and reaches the tenants' published ports), as the unprivileged EDGE_UID with only NET_BIND_SERVICE, its
 * admin API on a unix socket in a 0700 directory (no tenant container can reach it: they have no host
 * network and no such mount), and certificate storage and the host table snapshot under `caddyDir`, so a
 * restarted Caddy serves every host again before the panel is back. Hosts are not part of the container.
 */
export async function ensureEdge(ctx: DockerDriver, spec: EdgeSpec): Promise<EnsureResult> {
  const paths = edgePaths(spec.caddyDir);
  await mkdir(spec.caddyDir, { recursive: true, mode: 0o755 });
  for (const dir of [paths.adminDir, paths.storage, paths.tableDir, paths.home]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chown(dir, EDGE_UID, EDGE_UID);
  }
  await mkdir(paths.logs, { recursive: true, mode: 0o750 });
  await chown(paths.logs, EDGE_UID, EDGE_UID);
  await mkdir(spec.tenantsDir, { recursive: true, mode: 0o755 });
  await ensureTenantsRootShared(ctx);
  const tmp = `${paths.config}.tmp`;
  await writeFile(tmp, spec.skeleton, { mode: 0o644 });
  await rename(tmp, paths.config);
  return ensureContainer(ctx, {
    tenantId: EDGE_OWNER,
    component: 'edge',
    name: edgeContainerName(ctx),
    image: resolveImage(ctx.profile, { role: 'caddy' }),
    labels: {
      [LABELS.managed]: ctx.instance,
      [LABELS.tenant]: EDGE_OWNER,
      [LABELS.role]: 'edge',
      [LABELS.component]: 'edge',
    },
    // The ports and the skeleton are part of the spec: changing them replaces the container.
    create: {
      Cmd: ['caddy', 'run', '--config', paths.config],
      User: `${EDGE_UID}:${EDGE_UID}`,
      Env: [
        `BERTH_EDGE_PORTS=${spec.httpPort},${spec.httpsPort}`,
        `BERTH_EDGE_SKELETON=${Buffer.from(spec.skeleton).toString('base64')}`,
        `HOME=${paths.home}`,
        `XDG_DATA_HOME=${paths.home}`,
        `XDG_CONFIG_HOME=${paths.home}`,
      ],
      HostConfig: {
        NetworkMode: 'host',
        RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
        // No no-new-privileges: the image's caddy binary carries the file capability cap_net_bind_service,
        // which is how an unprivileged user binds :80/:443; the bounding set below allows nothing else.
        CapDrop: ['ALL'],
        CapAdd: ['CAP_NET_BIND_SERVICE'],
        ReadonlyRootfs: true,
        // rslave: a tenant disk mounted under tenantsDir after Caddy started (a new tenant, a remount after a
        // reboot) is visible to it without a restart; tenantsDir is a shared mount (ensureTenantsRootShared).
        Binds: [`${spec.caddyDir}:${spec.caddyDir}`, `${spec.tenantsDir}:${spec.tenantsDir}:ro,rslave`],
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
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      throw new RuntimeError('INVALID_INPUT', `Edge port ${port} is not a valid port.`);
  }
}

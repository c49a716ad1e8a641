import type Docker from 'dockerode';
import { RuntimeError } from '../errors.js';
import { assertPort, assertPositiveInt } from '../inputs.guard.js';
import { resolveImage } from '../catalog.js';
import { hashText, ownershipLabels } from '../labels.js';
import { containerName } from '../naming.js';
import { VARNISH_CONFIG_FILE, renderVarnishVcl } from '../config/varnish.config.js';
import {
  ensureContainer,
  execInContainer,
  listComponentContainers,
  type EnsureResult,
} from '../docker/container.ops.js';
import { configDir, readConfigFile, readOrCreateSecret, writeConfigFile } from '../docker/tenant-files.js';
import { hardenedHostConfig, networkAttachment, publishOnLoopback } from './host-config.js';
import { ensureTenantNetwork } from './tenant-network.js';
import { WEBSERVER_COMPONENT } from './webserver.js';
import type { DockerDriver, VarnishSpec } from '../runtime.types.js';

/** VARNISH_COMPONENT is the `berth.component` of a tenant's cache. */
export const VARNISH_COMPONENT = 'varnish';
/**
 * VSL_SPACE_MIB is Varnish's shared-memory log (80 MiB by default). It lives in the work dir, a tmpfs counted
 * in the container's memory, so it is kept small; VARNISH_WORKDIR_MIB leaves room for compiled VCLs beside it.
 */
const VSL_SPACE_MIB = 16;
const VARNISH_WORKDIR_MIB = 64;
/** PURGE_TOKEN_SECRET names the per-tenant secret shared by the VCL and purgeCache/banCache. */
export const PURGE_TOKEN_SECRET = 'varnish-purge-token';

/**
 * ensureVarnish converges the tenant's optional Varnish: it owns the cache port (127.0.0.1:<port>) and talks
 * to the tenant's webserver as `web` on the tenant bridge, so the webserver must exist first. It runs as the
 * image's unprivileged `varnish` user with every capability dropped (binding :80 inside the container works
 * because Docker ≥ 20.10 sets net.ipv4.ip_unprivileged_port_start=0 in container namespaces). VCL changes,
 * and a replaced or re-addressed webserver (Varnish resolves `web` when a VCL is loaded), are applied with `vcl.load` +
 * `vcl.use`, which keeps the cache.
 */
export async function ensureVarnish(
  ctx: DockerDriver,
  params: { tenantId: string; varnish: VarnishSpec; cgroupParent?: string },
): Promise<EnsureResult> {
  const { tenantId, varnish } = params;
  const port = assertPort(varnish.port, 'cache port');
  const sizeMb = assertPositiveInt(varnish.cacheSizeMb, 'cache size', 8);
  const net = await ensureTenantNetwork(ctx, { tenantId });
  if (!net.gateway)
    throw new RuntimeError(
      'DOCKER_ERROR',
      `Network ${net.name} has no gateway address; recreate it with removeTenant.`,
    );
  const web = (await listComponentContainers(ctx, tenantId, WEBSERVER_COMPONENT)).find((c) => c.State === 'running');
  if (!web)
    throw new RuntimeError(
      'CONTAINER_FAILED',
      `Tenant ${tenantId} has no running webserver for Varnish to talk to; ensure the webserver first.`,
    );

  const token = await readOrCreateSecret(ctx, tenantId, PURGE_TOKEN_SECRET);
  const vcl = renderVarnishVcl({ tenantId, purgeAllowFrom: [net.gateway], purgeToken: token });
  const previous = await readConfigFile(ctx, tenantId, VARNISH_COMPONENT, VARNISH_CONFIG_FILE);
  await writeConfigFile(ctx, tenantId, VARNISH_COMPONENT, VARNISH_CONFIG_FILE, vcl);

  const publish = publishOnLoopback(80, port);
  // Varnish's defaults (2 pools × 100 threads at rest) exceed a small plan's pids limit and make the child
  // panic in a loop; one pool sized from the limit keeps it inside (options are appended by the entrypoint
  // of both images).
  const maxThreads = Math.max(16, varnish.limits.pids - 24);
  const create: Omit<Docker.ContainerCreateOptions, 'name' | 'Image' | 'Labels'> = {
    Cmd: [
      '-p',
      'thread_pools=1',
      '-p',
      `thread_pool_min=${Math.min(10, maxThreads)}`,
      '-p',
      `thread_pool_max=${maxThreads}`,
      '-p',
      `vsl_space=${VSL_SPACE_MIB}M`,
    ],
    Env: [`VARNISH_SIZE=${sizeMb}M`, 'VARNISH_HTTP_PORT=80'],
    ExposedPorts: publish.exposed,
    HostConfig: hardenedHostConfig({
      network: net.name,
      limits: varnish.limits,
      capAdd: [],
      binds: [`${configDir(ctx, tenantId, VARNISH_COMPONENT)}:/etc/varnish:ro`],
      portBindings: publish.bindings,
      // Its work dir (-n default) holds the compiled VCL it loads (so exec) and the shared-memory log
      // (vsl_space above). The image has no such directory, so the tmpfs's own 1777 applies.
      scratch: [{ path: '/var/lib/varnish/varnishd', sizeMiB: VARNISH_WORKDIR_MIB, mode: 0o1777, exec: true }],
      ...(params.cgroupParent ? { cgroupParent: params.cgroupParent } : {}),
    }),
    NetworkingConfig: networkAttachment(net.name, ['varnish']),
  };

  const reload = async (container: Docker.Container): Promise<void> => {
    const name = `berth_${Date.now()}`;
    const load = await execInContainer(ctx, container.id, [
      'varnishadm',
      'vcl.load',
      name,
      `/etc/varnish/${VARNISH_CONFIG_FILE}`,
    ]);
    if (load.exitCode !== 0) {
      if (previous !== undefined)
        await writeConfigFile(ctx, tenantId, VARNISH_COMPONENT, VARNISH_CONFIG_FILE, previous);
      throw new RuntimeError(
        'CONFIG_INVALID',
        `Varnish rejected the new VCL for tenant ${tenantId}; the previous VCL stays live. Varnish said: ${(load.stdout + load.stderr).trim()}`,
      );
    }
    const use = await execInContainer(ctx, container.id, ['varnishadm', 'vcl.use', name]);
    if (use.exitCode !== 0)
      throw new RuntimeError(
        'CONFIG_INVALID',
        `Varnish could not switch to the new VCL: ${(use.stdout + use.stderr).trim()}`,
      );
  };

  return ensureContainer(ctx, {
    tenantId,
    component: VARNISH_COMPONENT,
    name: containerName(tenantId, VARNISH_COMPONENT),
    image: resolveImage(ctx.profile, { role: 'varnish' }),
    labels: ownershipLabels({ instance: ctx.instance, tenantId, role: 'varnish', component: VARNISH_COMPONENT }),
    create,
    // Varnish resolves `web` once, when a VCL is loaded: a webserver replaced, or restarted at another address
    // (a killed container comes back with the next free one), needs a reload or every fetch fails (503).
    configHash: hashText(`${vcl}\nweb=${web.Id}@${web.NetworkSettings?.Networks?.[net.name]?.IPAddress ?? ''}`),
    reload,
    exclusivePorts: true,
  });
}

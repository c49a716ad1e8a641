import type Docker from 'dockerode';
import { RuntimeError } from '../errors.js';
import { assertPort } from '../inputs.guard.js';
import { resolveImage } from '../catalog.js';
import { hashText, ownershipLabels } from '../labels.js';
import { SITES_MOUNT, WEB_ALIAS, containerName } from '../naming.js';
import { NGINX_CONFIG_FILE, renderNginxConfig } from '../config/nginx.config.js';
import { APACHE_CONFIG_FILE, renderApacheConfig } from '../config/apache.config.js';
import { ensureContainer, execInContainer, signalContainer, type EnsureResult } from '../docker/container.ops.js';
import { configDir, ensureTenantDirs, readConfigFile, sitesDir, writeConfigFile } from '../docker/tenant-files.js';
import { TMP_MIB, hardenedHostConfig, networkAttachment, publishOnLoopback, type ScratchDir } from './host-config.js';
import { ensureTenantNetwork } from './tenant-network.js';
import { ensureTenantsRootShared } from '../disk/shared-mount.js';
import type { DockerDriver, SiteSpec, TenantIdentity, WebserverSpec } from '../runtime.types.js';

/** WEBSERVER_COMPONENT is the `berth.component` of a tenant's webserver (one per tenant). */
export const WEBSERVER_COMPONENT = 'webserver';

// Capabilities: the master process starts as root and drops to an unprivileged user for workers (SETUID,
// SETGID), signals those workers (KILL: they run under another uid), binds :80 (NET_BIND_SERVICE, needed on
// engines that do not lower ip_unprivileged_port_start); nginx also chowns its temp dirs at start (CHOWN).
const CAPS = {
  nginx: ['CHOWN', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'],
  apache: ['KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'],
} as const;

const APACHE_CONF_MOUNT = '/usr/local/apache2/conf/berth';

/**
 * webserverScratch lists what each webserver writes at run time (found with `docker diff` on running
 * images): nginx its pid in /run and request bodies in its temp dirs (/var/lib/nginx on Debian's build,
 * /var/cache/nginx on the official image; responses are never spooled, see the generated config); apache its
 * pid and mutexes in logs/. The temp dirs get half the webserver's memory limit (at least 64 MiB): tmpfs pages
 * are counted as the container's memory anyway.
 */
export function webserverScratch(kind: WebserverSpec['kind'], memoryBytes: number): ScratchDir[] {
  const tempMiB = Math.max(TMP_MIB, Math.floor(memoryBytes / (2 * 1024 * 1024)));
  return kind === 'nginx'
    ? [
        { path: '/run', sizeMiB: 1 },
        { path: '/var/lib/nginx', sizeMiB: tempMiB },
        { path: '/var/cache/nginx', sizeMiB: tempMiB },
      ]
    : [{ path: '/usr/local/apache2/logs', sizeMiB: 1 }];
}

/**
 * ensureWebserver converges the tenant's one webserver (nginx or apache): it writes the vhost config for
 * all of the tenant's sites, runs the server on the tenant bridge as `web`, and publishes only
 * 127.0.0.1:<port>. A config-only change is checked by the server itself (`nginx -t` / `httpd -t`) and
 * reloaded gracefully; a rejected config is rolled back and reported as CONFIG_INVALID.
 */
export async function ensureWebserver(
  ctx: DockerDriver,
  params: { tenant: TenantIdentity; webserver: WebserverSpec; sites: readonly SiteSpec[]; cgroupParent?: string },
): Promise<EnsureResult> {
  const { tenant, webserver } = params;
  const port = assertPort(webserver.port, 'webserver port');
  const net = await ensureTenantNetwork(ctx, { tenantId: tenant.tenantId });
  await ensureTenantDirs(
    ctx,
    tenant,
    params.sites.map((s) => s.siteId),
  );
  // Its sites are bound with `rslave`, which Docker allows only from a shared (or slave) mount.
  await ensureTenantsRootShared(ctx);

  const isNginx = webserver.kind === 'nginx';
  const file = isNginx ? NGINX_CONFIG_FILE : APACHE_CONFIG_FILE;
  const text = isNginx
    ? renderNginxConfig({ tenantId: tenant.tenantId, sites: params.sites })
    : renderApacheConfig({ tenantId: tenant.tenantId, sites: params.sites });
  const component = WEBSERVER_COMPONENT;
  const previous = await readConfigFile(ctx, tenant.tenantId, `web-${webserver.kind}`, file);
  await writeConfigFile(ctx, tenant.tenantId, `web-${webserver.kind}`, file, text);
  const cfgDir = configDir(ctx, tenant.tenantId, `web-${webserver.kind}`);

  const publish = publishOnLoopback(80, port);
  const binds = isNginx
    ? [`${cfgDir}:/etc/nginx/conf.d:ro`, `${sitesDir(ctx, tenant.tenantId)}:${SITES_MOUNT}:ro,rslave`]
    : [`${cfgDir}:${APACHE_CONF_MOUNT}:ro`, `${sitesDir(ctx, tenant.tenantId)}:${SITES_MOUNT}:ro,rslave`];
  const create: Omit<Docker.ContainerCreateOptions, 'name' | 'Image' | 'Labels'> = {
    ExposedPorts: publish.exposed,
    HostConfig: hardenedHostConfig({
      network: net.name,
      limits: webserver.limits,
      capAdd: [...CAPS[webserver.kind]],
      binds,
      portBindings: publish.bindings,
      scratch: webserverScratch(webserver.kind, webserver.limits.memoryBytes),
      ...(params.cgroupParent ? { cgroupParent: params.cgroupParent } : {}),
    }),
    NetworkingConfig: networkAttachment(net.name, [WEB_ALIAS]),
  };
  if (!isNginx) create.Cmd = ['httpd-foreground', '-f', `${APACHE_CONF_MOUNT}/${APACHE_CONFIG_FILE}`];

  const reload = async (container: Docker.Container): Promise<void> => {
    const check = isNginx ? ['nginx', '-t'] : ['httpd', '-t', '-f', `${APACHE_CONF_MOUNT}/${APACHE_CONFIG_FILE}`];
    const res = await execInContainer(ctx, container.id, check);
    if (res.exitCode !== 0) {
      if (previous !== undefined) await writeConfigFile(ctx, tenant.tenantId, `web-${webserver.kind}`, file, previous);
      throw new RuntimeError(
        'CONFIG_INVALID',
        `The ${webserver.kind} config for tenant ${tenant.tenantId} was rejected by ${check.join(' ')}; the previous config stays live. Server said: ${res.stderr.trim()}`,
        {
          details: { output: res.stderr },
        },
      );
    }
    await signalContainer(ctx, container.id, isNginx ? 'HUP' : 'USR1');
  };

  return ensureContainer(ctx, {
    tenantId: tenant.tenantId,
    component,
    name: containerName(tenant.tenantId, 'web'),
    image: resolveImage(ctx.profile, { role: 'webserver', kind: webserver.kind }),
    labels: {
      ...ownershipLabels({ instance: ctx.instance, tenantId: tenant.tenantId, role: 'webserver', component }),
      'berth.webserver': webserver.kind,
    },
    create,
    configHash: hashText(text),
    reload,
    exclusivePorts: true,
  });
}

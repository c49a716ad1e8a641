import type Docker from 'dockerode';
import { RuntimeError } from '../errors.js';
import { assertSlug, assertUid } from '../inputs.guard.js';
import { observe } from './observe.js';
import { resolveImage } from '../catalog.js';
import { hashText, ownershipLabels } from '../labels.js';
import { SITES_MOUNT, containerName, phpAlias } from '../naming.js';
import { PHP_FPM_CONFIG_FILE, renderPhpFpmConfig } from '../config/php-fpm.config.js';
import { ensureContainer, execInContainer, signalContainer, type EnsureResult } from '../docker/container.ops.js';
import { configDir, ensureTenantDirs, readConfigFile, sitesDir, writeConfigFile } from '../docker/tenant-files.js';
import { TMP_MIB, hardenedHostConfig, networkAttachment } from './host-config.js';
import { ensureTenantNetwork } from './tenant-network.js';
import { databaseSocketBinds } from './database-server.js';
import { ensureTenantsRootShared } from '../disk/shared-mount.js';
import type { DockerDriver, PhpBounds, PhpSite, ResourceLimits, TenantIdentity } from '../runtime.types.js';
import type { TPhpVersion } from '../contracts.js';

/** phpComponent is the `berth.component` of a tenant's PHP-FPM container for one version. */
export function phpComponent(version: TPhpVersion): string {
  return `php-${version}`;
}

/**
 * phpTmpMiB is the size of a PHP-FPM container's /tmp, the only place it writes besides the sites (`docker
 * diff` of running images): sessions and uploads in flight (upload_tmp_dir) live there, so it holds two uploads
 * of the plan's largest POST body, and never less than TMP_MIB.
 */
export function phpTmpMiB(bounds: PhpBounds): number {
  return Math.max(TMP_MIB, 2 * Math.ceil(bounds.postMaxMb.max));
}

/**
 * ensurePhpFpm converges the tenant's PHP-FPM container for one version, shared by all of the tenant's sites
 * on that version (one pool each). It runs as the tenant's uid with every capability dropped: a non-root
 * master needs none, and it can only write where that uid may (its sites). Reachable on the tenant bridge as
 * `php-<version>`. Pool changes are checked with `php-fpm -t` and applied with a graceful reload (USR2).
 */
export async function ensurePhpFpm(
  ctx: DockerDriver,
  params: {
    tenant: TenantIdentity;
    version: TPhpVersion;
    sites: readonly PhpSite[];
    bounds: PhpBounds;
    limits: ResourceLimits;
    cgroupParent?: string;
  },
): Promise<EnsureResult> {
  const { tenant, version } = params;
  const uid = assertUid(tenant.uid);
  const gid = assertUid(tenant.gid, 'gid');
  const sites = params.sites.filter((s) => s.version === version);
  if (sites.length === 0)
    throw new RuntimeError('INVALID_INPUT', `ensurePhpFpm needs at least one PHP ${version} site.`);
  const net = await ensureTenantNetwork(ctx, { tenantId: tenant.tenantId });
  await ensureTenantDirs(
    ctx,
    tenant,
    sites.map((s) => s.siteId),
  );
  // Its sites are bound with `rslave`, which Docker allows only from a shared (or slave) mount.
  await ensureTenantsRootShared(ctx);

  const component = phpComponent(version);
  const text = renderPhpFpmConfig({ tenantId: tenant.tenantId, version, sites, bounds: params.bounds });
  const previous = await readConfigFile(ctx, tenant.tenantId, component, PHP_FPM_CONFIG_FILE);
  await writeConfigFile(ctx, tenant.tenantId, component, PHP_FPM_CONFIG_FILE, text);

  const binds = [
    `${configDir(ctx, tenant.tenantId, component)}:/usr/local/etc/php-fpm.d:ro`,
    `${sitesDir(ctx, tenant.tenantId)}:${SITES_MOUNT}:rslave`,
    ...(await databaseSocketBinds(ctx)),
  ];
  const create: Omit<Docker.ContainerCreateOptions, 'name' | 'Image' | 'Labels'> = {
    User: `${uid}:${gid}`,
    HostConfig: hardenedHostConfig({
      network: net.name,
      limits: params.limits,
      capAdd: [],
      binds,
      scratch: [],
      tmpMiB: phpTmpMiB(params.bounds),
      ...(params.cgroupParent ? { cgroupParent: params.cgroupParent } : {}),
    }),
    NetworkingConfig: networkAttachment(net.name, [phpAlias(version)]),
  };

  const reload = async (container: Docker.Container): Promise<void> => {
    const res = await execInContainer(ctx, container.id, ['php-fpm', '-t']);
    if (res.exitCode !== 0) {
      if (previous !== undefined) await writeConfigFile(ctx, tenant.tenantId, component, PHP_FPM_CONFIG_FILE, previous);
      throw new RuntimeError(
        'CONFIG_INVALID',
        `The PHP ${version} pool config for tenant ${tenant.tenantId} was rejected by php-fpm -t; the previous config stays live. Server said: ${(res.stderr + res.stdout).trim()}`,
      );
    }
    await signalContainer(ctx, container.id, 'USR2');
  };

  return ensureContainer(ctx, {
    tenantId: tenant.tenantId,
    component,
    name: containerName(tenant.tenantId, component),
    image: resolveImage(ctx.profile, { role: 'php-fpm', version }),
    labels: {
      ...ownershipLabels({ instance: ctx.instance, tenantId: tenant.tenantId, role: 'php-fpm', component }),
      'berth.version': version,
    },
    create,
    configHash: hashText(text),
    reload,
  });
}

/**
 * reloadTenantPhp gracefully reloads every running PHP-FPM container of a tenant (USR2): new workers with an
 * empty opcache, so files replaced a moment ago (a one-click install over the default page) are served at once
 * instead of after opcache's revalidation delay. Requests in flight finish on the old workers.
 */
export async function reloadTenantPhp(ctx: DockerDriver, tenantId: string): Promise<number> {
  const seen = await observe(ctx, { tenantId: assertSlug(tenantId, 'tenant id') });
  const running = seen.containers.filter((c) => c.role === 'php-fpm' && c.state === 'running');
  for (const c of running) await signalContainer(ctx, c.id, 'USR2');
  return running.length;
}

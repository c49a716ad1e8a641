import { assertSlug } from '../inputs.guard.js';
import { execInContainer, removeContainerById, type EnsureResult } from '../docker/container.ops.js';
import { assignPoolPorts } from '../config/php-pools.js';
import { ensureTenantDirs, removeRetiredSiteDirs } from '../docker/tenant-files.js';
import { ensureTenantNetwork, removeTenantNetwork, type SubnetPlan, type TenantNetwork } from './tenant-network.js';
import { ensureWebserver } from './webserver.js';
import { ensurePhpFpm, phpComponent } from './php-fpm.js';
import { appComponent, ensureAppContainer } from './app-container.js';
import { ensureVarnish, VARNISH_COMPONENT } from './varnish.js';
import { removeUnwanted } from './remove.js';
import { expectedComponents } from './component-set.js';
import { observe } from './observe.js';
import { ensureTenantCgroup, removeTenantCgroup } from './tenant-cgroup.js';
import { ensureTenantDisk } from './tenant-disk.js';

/** BACKEND_DRAIN_MS is how long a replaced backend keeps running after the webserver stopped sending to it. */
const BACKEND_DRAIN_MS = 2_000;
import type {
  AppSite,
  DockerDriver,
  ObservedState,
  PhpBounds,
  PhpSite,
  ResourceLimits,
  SiteSpec,
  TenantIdentity,
  VarnishSpec,
  WebserverSpec,
} from '../runtime.types.js';
import type { TPhpVersion } from '../contracts.js';

/** TenantRuntimeSpec is the whole desired runtime of one tenant, as the reconciler derives it from the DB. */
export interface TenantRuntimeSpec {
  tenant: TenantIdentity;
  webserver: WebserverSpec;
  /** Absent means the cache is off (and an existing one is removed). */
  varnish?: VarnishSpec;
  sites: readonly SiteSpec[];
  php: { bounds: PhpBounds; limits: ResourceLimits };
  appLimits: ResourceLimits;
  /**
   * The plan's totals for all of the tenant's containers together, enforced by its parent cgroup; every
   * container's own limits above are caps inside it (and are lowered to these where they are larger).
   */
  limits: ResourceLimits;
  /** Where the tenant bridge's /27 comes from (the panel's pool); Docker's default pools otherwise. */
  network?: SubnetPlan;
  /**
   * The plan's disk: the tenant's sites/ becomes a filesystem of this size (ensureTenantDisk), mounted before
   * anything else of the tenant is touched. Absent: sites/ stays a plain directory (no kernel limit), and an
   * existing disk is left as it is.
   */
  disk?: { bytes: number };
}

/** TenantRuntimeResult reports what each component did, for status and events. */
export interface TenantRuntimeResult {
  network: TenantNetwork;
  components: Record<string, EnsureResult>;
  removed: string[];
}

/** capToTenant lowers a container's caps to the tenant's totals (cgroup v1 refuses a child CPU quota above its parent's). */
export function capToTenant(container: ResourceLimits, tenant: ResourceLimits): ResourceLimits {
  return {
    nanoCpus: Math.min(container.nanoCpus, tenant.nanoCpus),
    memoryBytes: Math.min(container.memoryBytes, tenant.memoryBytes),
    pids: Math.min(container.pids, tenant.pids),
  };
}

/**
 * ensureTenantRuntime converges one tenant in one call: network, PHP-FPM per version in use, app containers
 * and the webserver (started in parallel: the webserver resolves upstreams per request), then Varnish when
 * enabled, then removes what is no longer wanted. If a step fails, containers this call created (and the
 * network, if this call created it) are removed again and the first error is thrown, so a failed first
 * provisioning leaves nothing behind and a failed update leaves the previous containers running.
 * `observed` is this tenant's state as the caller just read it (observe); without it, it is read here.
 * `beforeContainers` runs once the network exists and before any container is created or started (the
 * control plane puts the tenant's egress rules in place there); if it fails, nothing is started.
 * Every container goes into the tenant's parent cgroup (ensureTenantCgroup): its limits are widened to hold
 * both old and new plan before containers change, and set to exactly the plan once they have.
 */
export async function ensureTenantRuntime(
  ctx: DockerDriver,
  spec: TenantRuntimeSpec,
  options: { observed?: ObservedState; beforeContainers?: (network: TenantNetwork) => Promise<void> } = {},
): Promise<TenantRuntimeResult> {
  const tenantId = assertSlug(spec.tenant.tenantId, 'tenant id');
  // What the caller just observed for this tenant (the reconciler's plan step) answers "did a network exist"
  // and "is the webserver serving" without asking Docker again.
  const seen = options.observed ?? (await observe(ctx, { tenantId }));
  const before = seen.networks.filter((n) => n.tenantId === tenantId);
  if (spec.disk) await ensureTenantDisk(ctx, { tenantId, bytes: spec.disk.bytes });
  const network = await ensureTenantNetwork(ctx, { tenantId, ...(spec.network ? { subnets: spec.network } : {}) });
  await ensureTenantDirs(
    ctx,
    spec.tenant,
    spec.sites.map((s) => s.siteId),
  );

  const phpSites = spec.sites.filter((s): s is PhpSite => s.kind === 'php');
  const appSites = spec.sites.filter((s): s is AppSite => s.kind === 'node' || s.kind === 'python');
  const versions = [...new Set(phpSites.map((s) => s.version))].sort() as TPhpVersion[];
  // Filled in before any task runs (the tasks are only called after ensureTenantCgroup below).
  let cgroupParent = '';
  const phpLimits = capToTenant(spec.php.limits, spec.limits);
  const appLimits = capToTenant(spec.appLimits, spec.limits);
  const webserver = { ...spec.webserver, limits: capToTenant(spec.webserver.limits, spec.limits) };

  const components: Record<string, EnsureResult> = {};
  const backends: Array<[string, () => Promise<EnsureResult>]> = [
    ...versions.map((version): [string, () => Promise<EnsureResult>] => [
      phpComponent(version),
      async () => {
        const result = await ensurePhpFpm(ctx, {
          tenant: spec.tenant,
          version,
          sites: phpSites,
          bounds: spec.php.bounds,
          limits: phpLimits,
          cgroupParent,
        });
        if (result.action !== 'unchanged')
          await waitListening(ctx, result.id, [...assignPoolPorts(phpSites, version).values()]);
        return result;
      },
    ]),
    ...appSites.map((site): [string, () => Promise<EnsureResult>] => [
      appComponent(site.siteId),
      async () => {
        const result = await ensureAppContainer(ctx, { tenant: spec.tenant, site, limits: appLimits, cgroupParent });
        if (result.action !== 'unchanged') await waitListening(ctx, result.id, [site.port]);
        return result;
      },
    ]),
  ];
  const webserverTask: [string, () => Promise<EnsureResult>] = [
    'webserver',
    () => ensureWebserver(ctx, { tenant: spec.tenant, webserver, sites: spec.sites, cgroupParent }),
  ];

  const rollback = async (err: unknown): Promise<never> => {
    for (const r of Object.values(components)) {
      if (r.action === 'created') {
        await removeContainerById(ctx, r.id).catch((e: unknown) =>
          ctx.logger?.warn({ err: e, tenantId }, 'runtime: rollback could not remove a container'),
        );
      }
    }
    if (before.length === 0) {
      await removeTenantCgroup(ctx, { tenantId }).catch((e: unknown) =>
        ctx.logger?.warn({ err: e, tenantId }, 'runtime: rollback could not remove the cgroup'),
      );
      await removeTenantNetwork(ctx, { tenantId }).catch((e: unknown) =>
        ctx.logger?.warn({ err: e, tenantId }, 'runtime: rollback could not remove the network'),
      );
    }
    throw err;
  };
  cgroupParent = (await ensureTenantCgroup(ctx, { tenantId, limits: spec.limits, mode: 'widen' }).catch(rollback))
    .parent;
  if (options.beforeContainers) await options.beforeContainers(network).catch(rollback);

  const runAll = async (
    tasks: Array<[string, () => Promise<EnsureResult>]>,
  ): Promise<PromiseRejectedResult | undefined> => {
    const settled = await Promise.allSettled(
      tasks.map(async ([name, run]) => {
        components[name] = await run();
      }),
    );
    return settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  };
  // A new tenant starts everything at once (its webserver resolves upstreams per request). A running
  // tenant gets its new PHP/app containers listening BEFORE the webserver's config points at them, so a
  // version switch never shows visitors a 502.
  const serving = seen.containers.some((c) => c.tenantId === tenantId && c.component === 'webserver' && c.running);
  const failure = serving
    ? ((await runAll(backends)) ?? (await runAll([webserverTask])))
    : await runAll([...backends, webserverTask]);
  if (failure) return rollback(failure.reason);

  if (spec.varnish) {
    try {
      const varnish = { ...spec.varnish, limits: capToTenant(spec.varnish.limits, spec.limits) };
      components[VARNISH_COMPONENT] = await ensureVarnish(ctx, { tenantId, varnish, cgroupParent });
    } catch (err) {
      return rollback(err);
    }
  }

  // Backends the webserver no longer points at may still be serving requests the old nginx/apache workers
  // accepted before the reload: give those a moment to finish before the containers go.
  const expected = expectedComponents({ varnish: spec.varnish !== undefined, sites: spec.sites });
  const keepComponents = new Set(expected);
  const leaving = (await observe(ctx, { tenantId })).containers.filter((c) => !keepComponents.has(c.component));
  const webserverChanged = components.webserver !== undefined && components.webserver.action !== 'unchanged';
  if (leaving.length > 0 && webserverChanged) await new Promise((r) => setTimeout(r, BACKEND_DRAIN_MS));

  const removed = await removeUnwanted(ctx, { tenantId, keep: expected });
  // A deleted site's files go once nothing serves it any more.
  await removeRetiredSiteDirs(
    ctx,
    spec.tenant,
    spec.sites.map((s) => s.siteId),
  );
  await ensureTenantCgroup(ctx, { tenantId, limits: spec.limits, mode: 'exact' });
  ctx.logger?.info(
    { tenantId, components: Object.fromEntries(Object.entries(components).map(([k, v]) => [k, v.action])), removed },
    'runtime: tenant converged',
  );
  return { network, components, removed };
}

/**
 * waitListening polls inside a fresh container until each TCP port accepts connections (bash's /dev/tcp,
 * present in every Berth image), so traffic is only moved to a backend that can take it.
 */
async function waitListening(
  ctx: DockerDriver,
  containerId: string,
  ports: number[],
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const probe = ports.map((p) => `exec 3<>/dev/tcp/127.0.0.1/${Number(p)} && exec 3>&-`).join(' && ');
  for (;;) {
    const result = await execInContainer(ctx, containerId, ['bash', '-c', probe], { timeoutMs: 3_000 }).catch(() => ({
      exitCode: 1,
    }));
    if (result.exitCode === 0) return;
    if (Date.now() > deadline) {
      ctx.logger?.warn({ containerId, ports }, 'runtime: backend did not start listening in time; continuing');
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { assertSlug } from '../inputs.guard.js';
import { callDocker, isNotFound } from '../docker/docker.driver.js';
import { removeContainerById } from '../docker/container.ops.js';
import { clearComponentFiles, removeTenantFiles } from '../docker/tenant-files.js';
import { edgeLogsDir } from '../layout.js';
import { removeTenantNetwork } from './tenant-network.js';
import { removeTenantCgroup } from './tenant-cgroup.js';
import { removeTenantDisk } from './tenant-disk.js';
import { observe } from './observe.js';
import type { DockerDriver } from '../runtime.types.js';

/**
 * removeUnwanted removes the tenant's containers that are no longer wanted (a deleted app site, a PHP
 * version no site uses, a disabled cache) together with their generated config. `keep` is the tenant's
 * expected component set (expectedComponents). Only containers carrying
 * `berth.managed=<this installation>` and this tenant's `berth.tenant` are considered. Returns the removed names.
 */
export async function removeUnwanted(
  ctx: DockerDriver,
  params: { tenantId: string; keep: readonly string[] },
): Promise<string[]> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  const wanted = new Set<string>(params.keep);
  const state = await observe(ctx, { tenantId });
  const removed: string[] = [];
  for (const c of state.containers) {
    if (c.tenantId !== tenantId || wanted.has(c.component)) continue;
    await removeContainerById(ctx, c.id);
    if (c.component) await clearComponentFiles(ctx, tenantId, c.component);
    removed.push(c.name);
    ctx.logger?.info({ tenantId, name: c.name }, 'runtime: unwanted container removed');
  }
  return removed;
}

/**
 * removeTenant removes every container, network and volume labelled with the tenant and its parent cgroup,
 * then its generated config and state; the tenant's site files (its disk, unmounted and deleted), and with
 * them its edge access logs (`<dataDir>/caddy/logs/<tenant>/`), are deleted only with `deleteSiteFiles` (the
 * reconciler decides when data may go: on termination). Idempotent: a second call finds nothing and succeeds.
 */
export async function removeTenant(
  ctx: DockerDriver,
  params: { tenantId: string; deleteSiteFiles?: boolean },
): Promise<{ containers: number; networks: number; volumes: number }> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  // A running installer too: it writes the tenant's files and keeps its disk busy.
  const state = await observe(ctx, { tenantId, includeBusyOneShots: true });
  const mine = state.containers.filter((c) => c.tenantId === tenantId);
  // One at a time: Debian's Docker 20.10 deadlocks its network code (moby/libnetwork#2679, fixed later
  // upstream) when several containers of one network are torn down at the same moment, and then hangs every
  // later container or network call until the daemon is restarted.
  for (const c of mine) await removeContainerById(ctx, c.id);
  // Before the network: while the network exists the tenant is still observed, so a pass killed here is
  // retried and the cgroup and the disk are not left behind. The disk (unmounted, image deleted) goes only
  // with the files; a suspended tenant keeps it mounted.
  await removeTenantCgroup(ctx, { tenantId });
  if (params.deleteSiteFiles) await removeTenantDisk(ctx, { tenantId });
  const networks = await removeTenantNetwork(ctx, { tenantId });
  let volumes = 0;
  for (const v of state.volumes.filter((x) => x.tenantId === tenantId)) {
    try {
      await ctx.docker.getVolume(v.name).remove();
      volumes += 1;
    } catch (err) {
      if (!isNotFound(err)) await callDocker('volume remove', () => Promise.reject(err));
    }
  }
  await removeTenantFiles(ctx, tenantId, params.deleteSiteFiles ?? false);
  if (params.deleteSiteFiles) await rm(join(edgeLogsDir(ctx.dataDir), tenantId), { recursive: true, force: true });
  ctx.logger?.info({ tenantId, containers: mine.length, networks, volumes }, 'runtime: tenant removed');
  return { containers: mine.length, networks, volumes };
}

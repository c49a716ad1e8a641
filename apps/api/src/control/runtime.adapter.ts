import { toRuntimeSpec, type DesiredTenant, type RuntimePort } from '@berth/reconciler';
import {
  isServiceOwner,
  EDGE_OWNER,
  ensureSiteScaffold,
  ensureTenantDisk,
  ensureTenantRuntime,
  observe,
  removeTenant,
  type DockerDriver,
  type EgressConverger,
  type ObservedState,
} from '@berth/runtime';

/**
 * createRuntimeAdapter is the reconciler's RuntimePort over @berth/runtime: what Docker shows for a
 * tenant, converging a tenant (site folders, then containers) and removing one. The state a pass observed
 * for its plan is handed to that pass's ensure, so apply does not ask Docker the same questions again
 * (passes are single-flight per tenant, so a tenant's observe and ensure never interleave with another's).
 * With `egress`, a tenant's egress rules (its plan's allow-list) are converged once its network exists and
 * before its containers start, and a removed tenant's rules go with its network.
 */
export function createRuntimeAdapter({
  driver,
  tenantNetworks,
  egress,
}: {
  driver: DockerDriver;
  tenantNetworks: string;
  egress?: EgressConverger;
}): RuntimePort {
  const lastObserved = new Map<string, ObservedState>();
  return {
    async observe(tenantId) {
      const state = await observe(driver, { tenantId });
      lastObserved.set(tenantId, state);
      return {
        containers: state.containers.map((c) => ({ component: c.component, running: c.running, siteId: c.siteId })),
        networks: state.networks.length,
      };
    },
    async observedTenantIds() {
      const state = await observe(driver);
      const ids = [...state.containers.map((c) => c.tenantId), ...state.networks.map((n) => n.tenantId)];
      // The edge, the database servers, SFTP and backups are the panel's own, never a tenant's.
      return [...new Set(ids)].filter((id) => id !== EDGE_OWNER && !isServiceOwner(id));
    },
    async ensure(tenant: DesiredTenant) {
      const spec = toRuntimeSpec(tenant, { networkPool: tenantNetworks });
      egress?.setAllow(tenant.id, tenant.plan.egressAllow ?? []);
      // The tenant's disk is mounted on its sites/ before anything is written there.
      if (spec.disk) await ensureTenantDisk(driver, { tenantId: spec.tenant.tenantId, bytes: spec.disk.bytes });
      for (const site of spec.sites) {
        await ensureSiteScaffold(driver, spec.tenant, {
          siteId: site.siteId,
          kind: site.kind,
          ...('version' in site ? { version: site.version } : {}),
          ...('documentRoot' in site ? { documentRoot: site.documentRoot } : {}),
        });
      }
      const observed = lastObserved.get(tenant.id);
      lastObserved.delete(tenant.id);
      const result = await ensureTenantRuntime(driver, spec, {
        ...(observed ? { observed } : {}),
        ...(egress ? { beforeContainers: async () => void (await egress.converge()) } : {}),
      });
      return { actions: Object.fromEntries(Object.entries(result.components).map(([k, v]) => [k, v.action])) };
    },
    async remove({ tenantId, deleteFiles }) {
      lastObserved.delete(tenantId);
      await removeTenant(driver, { tenantId, deleteSiteFiles: deleteFiles });
      if (egress) {
        egress.forget(tenantId);
        await egress.converge();
      }
    },
  };
}

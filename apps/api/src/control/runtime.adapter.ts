import { toRuntimeSpec, type DesiredTenant, type RuntimePort } from '@berth/reconciler';
import { EDGE_OWNER, ensureSiteScaffold, ensureTenantRuntime, observe, removeTenant, type DockerDriver } from '@berth/runtime';

/**
 * createRuntimeAdapter is the reconciler's RuntimePort over @berth/runtime: what Docker shows for a
 * tenant, converging a tenant (site folders, then containers) and removing one.
 */
export function createRuntimeAdapter({ driver, tenantNetworks }: { driver: DockerDriver; tenantNetworks: string }): RuntimePort {
  return {
    async observe(tenantId) {
      const state = await observe(driver, { tenantId });
      return {
        containers: state.containers.map((c) => ({ component: c.component, running: c.running, siteId: c.siteId })),
        networks: state.networks.length,
      };
    },
    async observedTenantIds() {
      const state = await observe(driver);
      const ids = [...state.containers.map((c) => c.tenantId), ...state.networks.map((n) => n.tenantId)];
      return [...new Set(ids)].filter((id) => id !== EDGE_OWNER);
    },
    async ensure(tenant: DesiredTenant) {
      const spec = toRuntimeSpec(tenant, { networkPool: tenantNetworks });
      for (const site of spec.sites) {
        await ensureSiteScaffold(driver, spec.tenant, {
          siteId: site.siteId,
          kind: site.kind,
          ...('version' in site ? { version: site.version } : {}),
          ...('documentRoot' in site ? { documentRoot: site.documentRoot } : {}),
        });
      }
      const result = await ensureTenantRuntime(driver, spec);
      return { actions: Object.fromEntries(Object.entries(result.components).map(([k, v]) => [k, v.action])) };
    },
    async remove({ tenantId, deleteFiles }) {
      await removeTenant(driver, { tenantId, deleteSiteFiles: deleteFiles });
    },
  };
}

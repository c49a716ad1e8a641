import type { TSite } from '@berth/contracts';
import { usePlan } from '../plans/usePlans';
import { useTenant } from '../tenants/useTenants';

/** useSitePlan reads the plan of the tenant a site belongs to: the bounds of its runtime and PHP settings. */
export function useSitePlan(site: Pick<TSite, 'tenantId'>) {
  const tenant = useTenant(site.tenantId);
  return usePlan(tenant.data?.planId);
}

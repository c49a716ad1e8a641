import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  TSite,
  TSiteStatus,
  ZCreateSiteRequest,
  ZRuntimeCatalogResponse,
  ZUpdateSiteRequest,
} from '@berth/contracts';
import { api, queryString, type TPageOf } from '../api';
import { usePlan } from './plans';
import { useTenant } from './tenants';

/** LIVE_POLL_MS is how often views refresh while a site is being provisioned. */
export const LIVE_POLL_MS = 2_000;

const IN_PROGRESS: readonly TSiteStatus[] = ['pending', 'provisioning'];

/**
 * isInProgress tells whether the provisioning engine still has work to do on a site. A failed or degraded
 * site is settled (it waits for a retry or the next probe), so it is not in progress.
 */
export function isInProgress(site: Pick<TSite, 'status'>): boolean {
  return IN_PROGRESS.includes(site.status);
}

/** pollWhileInProgress is a refetchInterval: poll while any site is pending or provisioning, stop after. */
export function pollWhileInProgress(sites: readonly TSite[] | undefined): number | false {
  return sites?.some(isInProgress) ? LIVE_POLL_MS : false;
}

export interface SiteFilter {
  tenantId?: string;
  status?: TSiteStatus;
  limit?: number;
  offset?: number;
}

/**
 * useSites lists sites (a tenant user's own, or every tenant's for an admin) and keeps them live: often while
 * one is being provisioned, else every `pollMs` if given (statuses the panel's probe changes, such as degraded).
 */
export function useSites(filter: SiteFilter = {}, options: { pollMs?: number | false } = {}) {
  return useQuery({
    queryKey: ['sites', filter],
    queryFn: () => api<TPageOf<TSite>>('GET', `/sites${queryString({ limit: 500, ...filter })}`),
    refetchInterval: (query) => pollWhileInProgress(query.state.data?.items) || (options.pollMs ?? false),
  });
}

/** useSite reads one site with its status; a 404 means it does not exist or belongs to someone else. */
export function useSite(id: string) {
  return useQuery({
    queryKey: ['site', id],
    queryFn: () => api<TSite>('GET', `/sites/${encodeURIComponent(id)}`),
    refetchInterval: (query) => (query.state.data && isInProgress(query.state.data) ? LIVE_POLL_MS : false),
  });
}

/** useRuntimeCatalog is what a site can run; it only changes with a panel upgrade. */
export function useRuntimeCatalog() {
  return useQuery({
    queryKey: ['runtimes'],
    queryFn: () => api<z.infer<typeof ZRuntimeCatalogResponse>>('GET', '/runtimes'),
    staleTime: Infinity,
  });
}

function useInvalidateSites() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['sites'] }),
      queryClient.invalidateQueries({ queryKey: ['site'] }),
      queryClient.invalidateQueries({ queryKey: ['tenants'] }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
    ]);
}

export function useCreateSite() {
  const invalidate = useInvalidateSites();
  return useMutation({
    mutationFn: (body: z.output<typeof ZCreateSiteRequest>) => api<TSite>('POST', '/sites', body),
    onSuccess: invalidate,
  });
}

export function useUpdateSite(id: string) {
  const invalidate = useInvalidateSites();
  return useMutation({
    mutationFn: (body: z.output<typeof ZUpdateSiteRequest>) =>
      api<TSite>('PATCH', `/sites/${encodeURIComponent(id)}`, body),
    onSuccess: invalidate,
  });
}

export function useDeleteSite() {
  const invalidate = useInvalidateSites();
  return useMutation({
    mutationFn: (id: string) => api('DELETE', `/sites/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

/** useRetrySite puts a failed or degraded site back in line (POST /sites/{id}/retry): pending, converged now. */
export function useRetrySite(id: string) {
  const invalidate = useInvalidateSites();
  return useMutation({
    mutationFn: () => api<TSite>('POST', `/sites/${encodeURIComponent(id)}/retry`),
    onSuccess: invalidate,
  });
}

/** useSitePlan reads the plan of the tenant a site belongs to: the bounds of its runtime and PHP settings. */
export function useSitePlan(site: Pick<TSite, 'tenantId'>) {
  const tenant = useTenant(site.tenantId);
  return usePlan(tenant.data?.planId);
}

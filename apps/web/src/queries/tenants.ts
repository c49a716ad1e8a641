import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { TTenant, ZCreateTenantRequest, ZUpdateTenantRequest } from '@berth/contracts';
import { api, queryString, type TPageOf } from '../api';

export interface TenantFilter {
  q?: string;
  status?: 'active' | 'suspended';
  limit?: number;
  offset?: number;
}

/** useTenants pages through tenants; the previous page stays on screen while the next one loads. */
export function useTenants(filter: TenantFilter = {}, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['tenants', filter],
    queryFn: () => api<TPageOf<TTenant>>('GET', `/tenants${queryString({ ...filter })}`),
    placeholderData: keepPreviousData,
    enabled: options.enabled ?? true,
  });
}

/** useTenant reads one tenant (an account owner may read their own). */
export function useTenant(id: string | null | undefined) {
  return useQuery({
    queryKey: ['tenants', 'one', id],
    queryFn: () => api<TTenant>('GET', `/tenants/${encodeURIComponent(id!)}`),
    enabled: Boolean(id),
  });
}

function useInvalidateTenants() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['tenants'] }),
      queryClient.invalidateQueries({ queryKey: ['plans'] }),
      queryClient.invalidateQueries({ queryKey: ['sites'] }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
    ]);
}

export function useCreateTenant() {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: (body: z.output<typeof ZCreateTenantRequest>) => api<TTenant>('POST', '/tenants', body),
    onSuccess: invalidate,
  });
}

export function useUpdateTenant(id: string) {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: (body: z.output<typeof ZUpdateTenantRequest>) =>
      api<TTenant>('PATCH', `/tenants/${encodeURIComponent(id)}`, body),
    onSuccess: invalidate,
  });
}

/** useSetSuspended suspends or unsuspends a tenant (its users lose access at once). */
export function useSetSuspended(id: string) {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: (suspend: boolean) =>
      api<TTenant>('POST', `/tenants/${encodeURIComponent(id)}/${suspend ? 'suspend' : 'unsuspend'}`),
    onSuccess: invalidate,
  });
}

export function useTerminateTenant(id: string) {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: () => api('DELETE', `/tenants/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

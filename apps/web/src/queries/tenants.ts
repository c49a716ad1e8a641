import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { TSessionResponse, TTenant, ZCreateTenantRequest, ZUpdateTenantRequest } from '@berth/contracts';
import { useNavigate } from 'react-router';
import { api, queryString, type TPageOf } from '../api';
import { switchSession } from './session';

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

/** TSuspension is a suspension with the reason its users will read (none: no body), or the unsuspension. */
export type TSuspension = { suspend: true; reason?: string } | { suspend: false };

/** useSetSuspended suspends (optionally saying why) or unsuspends a tenant (its users lose access at once). */
export function useSetSuspended(id: string) {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: (change: TSuspension) =>
      change.suspend
        ? api<TTenant>(
            'POST',
            `/tenants/${encodeURIComponent(id)}/suspend`,
            change.reason ? { reason: change.reason } : undefined,
          )
        : api<TTenant>('POST', `/tenants/${encodeURIComponent(id)}/unsuspend`),
    onSuccess: invalidate,
  });
}

/**
 * useResetOwnerPassword sets the owner's console password (the account API's PUT /accounts/{id}/password):
 * the owner's sessions end, and the operator hands the password over.
 */
export function useResetOwnerPassword(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => api('PUT', `/accounts/${encodeURIComponent(id)}/password`, { password }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['events'] }),
  });
}

/**
 * useImpersonateTenant is "Sign in as this tenant": the browser's session becomes the owner's (the API set
 * the cookie), every cached answer of the administrator is dropped, and the console opens at the owner's home.
 */
export function useImpersonateTenant(id: string) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => api<TSessionResponse>('POST', `/tenants/${encodeURIComponent(id)}/impersonate`),
    onSuccess: (session) => {
      switchSession(queryClient, session);
      void navigate('/');
    },
  });
}

export function useTerminateTenant(id: string) {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: () => api('DELETE', `/tenants/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

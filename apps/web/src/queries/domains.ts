import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { TDomain, ZCreateDomainRequest, ZUpdateDomainRequest } from '@berth/contracts';
import { api, type TPageOf } from '../api';

/** useDomains lists one site's domains. */
export function useDomains(siteId: string) {
  return useQuery({
    queryKey: ['domains', siteId],
    queryFn: () => api<TPageOf<TDomain>>('GET', `/sites/${encodeURIComponent(siteId)}/domains`),
  });
}

function useInvalidateDomains(siteId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['domains', siteId] }),
      queryClient.invalidateQueries({ queryKey: ['site', siteId] }),
      queryClient.invalidateQueries({ queryKey: ['sites'] }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
    ]);
}

export function useAddDomain(siteId: string) {
  const invalidate = useInvalidateDomains(siteId);
  return useMutation({
    mutationFn: (body: z.output<typeof ZCreateDomainRequest>) =>
      api<TDomain>('POST', `/sites/${encodeURIComponent(siteId)}/domains`, body),
    onSuccess: invalidate,
  });
}

export function useUpdateDomain(siteId: string) {
  const invalidate = useInvalidateDomains(siteId);
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: z.output<typeof ZUpdateDomainRequest> }) =>
      api<TDomain>('PATCH', `/domains/${encodeURIComponent(id)}`, body),
    onSuccess: invalidate,
  });
}

export function useRemoveDomain(siteId: string) {
  const invalidate = useInvalidateDomains(siteId);
  return useMutation({
    mutationFn: (id: string) => api('DELETE', `/domains/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

/** useVerifyDomain asks the panel to check a pending hostname's DNS now (BERTH_DOMAIN_VERIFICATION=dns). */
export function useVerifyDomain(siteId: string) {
  const invalidate = useInvalidateDomains(siteId);
  return useMutation({
    mutationFn: (id: string) => api<TDomain>('POST', `/domains/${encodeURIComponent(id)}/verify`, {}),
    onSuccess: invalidate,
  });
}

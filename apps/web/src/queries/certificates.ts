import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { TCertificateStatus, ZUploadCertificateRequest } from '@berth/contracts';
import { api, isNotFound } from '../api';

/** useCertificate reads what the panel knows of a domain's certificate; null when this panel cannot say (no route). */
export function useCertificate(domainId: string) {
  return useQuery({
    queryKey: ['certificate', domainId],
    queryFn: async (): Promise<TCertificateStatus | null> => {
      try {
        return await api<TCertificateStatus>('GET', `/domains/${encodeURIComponent(domainId)}/certificate`);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    refetchInterval: 60_000,
  });
}

function useInvalidateCertificate(domainId: string, siteId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['certificate', domainId] }),
      queryClient.invalidateQueries({ queryKey: ['domains', siteId] }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
    ]);
}

/** useUploadCertificate stores a PEM chain and key; the API checks them and switches the domain to custom TLS. */
export function useUploadCertificate(domainId: string, siteId: string) {
  const invalidate = useInvalidateCertificate(domainId, siteId);
  return useMutation({
    mutationFn: (body: z.output<typeof ZUploadCertificateRequest>) =>
      api<TCertificateStatus>('PUT', `/domains/${encodeURIComponent(domainId)}/certificate`, body),
    onSuccess: invalidate,
  });
}

/** useRemoveCertificate forgets an uploaded certificate; the domain returns to its default TLS mode. */
export function useRemoveCertificate(domainId: string, siteId: string) {
  const invalidate = useInvalidateCertificate(domainId, siteId);
  return useMutation({
    mutationFn: () => api<TCertificateStatus>('DELETE', `/domains/${encodeURIComponent(domainId)}/certificate`),
    onSuccess: invalidate,
  });
}

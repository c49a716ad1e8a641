import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { TSftpAccess, TSftpKey, ZAddSftpKeyRequest, ZSftpPasswordRequest } from '@berth/contracts';
import { api, queryString } from '../api';

/**
 * useSftp reads how a tenant connects over SFTP. Account owners get their own; an operator names the tenant,
 * and nothing is asked until one is picked.
 */
export function useSftp(tenantId: string | undefined, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['sftp', tenantId ?? 'own'],
    queryFn: () => api<TSftpAccess>('GET', `/sftp${queryString({ tenantId })}`),
    enabled: options.enabled ?? true,
  });
}

function useInvalidateSftp() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['sftp'] }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
    ]);
}

/** useSetSftpEnabled turns the tenant's SFTP login on or off. */
export function useSetSftpEnabled() {
  const invalidate = useInvalidateSftp();
  return useMutation({
    mutationFn: (body: { tenantId?: string; enabled: boolean }) => api<TSftpAccess>('PUT', '/sftp', body),
    onSuccess: invalidate,
  });
}

/** useSetSftpPassword sets the password typed, or a generated one; the answer is the only time it is shown. */
export function useSetSftpPassword() {
  const invalidate = useInvalidateSftp();
  return useMutation({
    mutationFn: (body: z.output<typeof ZSftpPasswordRequest>) =>
      api<{ password: string }>('POST', '/sftp/password', body),
    onSuccess: invalidate,
  });
}

/** useAddSftpKey adds an SSH public key that may sign in (problems with the key come back on `publicKey`). */
export function useAddSftpKey() {
  const invalidate = useInvalidateSftp();
  return useMutation({
    mutationFn: (body: z.output<typeof ZAddSftpKeyRequest>) => api<TSftpKey>('POST', '/sftp/keys', body),
    onSuccess: invalidate,
  });
}

export function useRemoveSftpKey() {
  const invalidate = useInvalidateSftp();
  return useMutation({
    mutationFn: (id: string) => api('DELETE', `/sftp/keys/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { TApiToken, ZCreatedToken, ZCreateTokenRequest } from '@berth/contracts';
import { api, type TPageOf } from '../api';

/** useTokens lists the signed-in user's API tokens (never their secrets). */
export function useTokens() {
  return useQuery({ queryKey: ['tokens'], queryFn: () => api<TPageOf<TApiToken>>('GET', '/tokens') });
}

function useInvalidateTokens() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['tokens'] }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
    ]);
}

/** useCreateToken mints a token; the answer holds the secret, which the API never shows again. */
export function useCreateToken() {
  const invalidate = useInvalidateTokens();
  return useMutation({
    mutationFn: (body: z.output<typeof ZCreateTokenRequest>) =>
      api<z.infer<typeof ZCreatedToken>>('POST', '/tokens', body),
    onSuccess: invalidate,
  });
}

export function useRevokeToken() {
  const invalidate = useInvalidateTokens();
  return useMutation({
    mutationFn: (id: string) => api('DELETE', `/tokens/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

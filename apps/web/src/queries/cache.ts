import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { ZPurgeCacheRequest, ZPurgeCacheResponse } from '@berth/contracts';
import { api } from '../api';

/** usePurgeCache empties the tenant's Varnish for one site: one URL, or every URL of its hostnames. */
export function usePurgeCache(siteId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: z.output<typeof ZPurgeCacheRequest>) =>
      api<z.infer<typeof ZPurgeCacheResponse>>('POST', `/sites/${encodeURIComponent(siteId)}/cache/purge`, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['events'] }),
  });
}

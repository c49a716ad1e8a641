import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api';

/** usePurgeCache empties the Varnish cache of one site (POST /sites/{id}/cache/purge). */
export function usePurgeCache(siteId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api('POST', `/sites/${encodeURIComponent(siteId)}/cache/purge`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['events'] }),
  });
}

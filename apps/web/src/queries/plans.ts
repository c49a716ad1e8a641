import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { TPlan, ZCreatePlanRequest, ZUpdatePlanRequest } from '@berth/contracts';
import { api, type TPageOf } from '../api';

/** usePlans lists plans (an account owner sees only their own plan). */
export function usePlans() {
  return useQuery({ queryKey: ['plans'], queryFn: () => api<TPageOf<TPlan>>('GET', '/plans') });
}

/** usePlan reads one plan, e.g. the bounds a site's PHP settings must stay within. */
export function usePlan(id: string | null | undefined) {
  return useQuery({
    queryKey: ['plans', 'one', id],
    queryFn: () => api<TPlan>('GET', `/plans/${encodeURIComponent(id!)}`),
    enabled: Boolean(id),
  });
}

function useInvalidatePlans() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['plans'] }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
    ]);
}

export function useCreatePlan() {
  const invalidate = useInvalidatePlans();
  return useMutation({
    mutationFn: (body: z.output<typeof ZCreatePlanRequest>) => api<TPlan>('POST', '/plans', body),
    onSuccess: invalidate,
  });
}

export function useUpdatePlan(id: string) {
  const invalidate = useInvalidatePlans();
  return useMutation({
    mutationFn: (body: z.output<typeof ZUpdatePlanRequest>) =>
      api<TPlan>('PATCH', `/plans/${encodeURIComponent(id)}`, body),
    onSuccess: invalidate,
  });
}

export function useDeletePlan() {
  const invalidate = useInvalidatePlans();
  return useMutation({
    mutationFn: (id: string) => api('DELETE', `/plans/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

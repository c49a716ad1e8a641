import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { TCronJob, TCronRun, ZCreateCronJobRequest, ZUpdateCronJobRequest } from '@berth/contracts';
import { api, queryString } from '../api';

/** CRON_POLL_MS is how often jobs and runs refresh while a run is going. */
export const CRON_POLL_MS = 2_000;

export interface CronJobFilter {
  /** Operators narrow the list to one tenant; account owners always get their own. */
  tenantId?: string;
}

/** useCronJobs lists cron jobs with their last run, refreshing while one of them runs. */
export function useCronJobs(filter: CronJobFilter = {}) {
  return useQuery({
    queryKey: ['cron-jobs', filter],
    queryFn: () => api<{ items: TCronJob[] }>('GET', `/cron-jobs${queryString({ ...filter })}`),
    refetchInterval: (query) =>
      query.state.data?.items.some((job) => job.lastRun?.status === 'running') ? CRON_POLL_MS : false,
  });
}

/** useCronRuns reads a job's last runs with their output, newest first, refreshing while one is going. */
export function useCronRuns(jobId: string) {
  return useQuery({
    queryKey: ['cron-runs', jobId],
    queryFn: () => api<{ items: TCronRun[] }>('GET', `/cron-jobs/${encodeURIComponent(jobId)}/runs`),
    refetchInterval: (query) =>
      query.state.data?.items.some((run) => run.status === 'running') ? CRON_POLL_MS : false,
  });
}

function useInvalidateCron() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['cron-jobs'] }),
      queryClient.invalidateQueries({ queryKey: ['cron-runs'] }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
    ]);
}

/** useCreateCronJob adds a job to a PHP, Node.js or Python site (SETTING_OUT_OF_BOUNDS on `schedule` past the plan). */
export function useCreateCronJob() {
  const invalidate = useInvalidateCron();
  return useMutation({
    mutationFn: (body: z.output<typeof ZCreateCronJobRequest>) => api<TCronJob>('POST', '/cron-jobs', body),
    onSuccess: invalidate,
  });
}

/** useUpdateCronJob changes what is given of a job: name, schedule, command, timeout, enabled. */
export function useUpdateCronJob() {
  const invalidate = useInvalidateCron();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: z.output<typeof ZUpdateCronJobRequest> }) =>
      api<TCronJob>('PATCH', `/cron-jobs/${encodeURIComponent(id)}`, body),
    onSuccess: invalidate,
  });
}

/** useDeleteCronJob deletes a job and its runs. */
export function useDeleteCronJob() {
  const invalidate = useInvalidateCron();
  return useMutation({
    mutationFn: (id: string) => api('DELETE', `/cron-jobs/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

/** useRunCronJob starts a run outside the schedule (409 CRON_JOB_RUNNING while one is going). */
export function useRunCronJob() {
  const invalidate = useInvalidateCron();
  return useMutation({
    mutationFn: (id: string) => api<TCronRun>('POST', `/cron-jobs/${encodeURIComponent(id)}/run`),
    onSuccess: invalidate,
  });
}

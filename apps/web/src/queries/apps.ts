import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { TAppInstall, TStartedAppInstall, ZInstallWordPressRequest } from '@berth/contracts';
import { api, isNotFound } from '../api';

/** APP_POLL_MS is how often the installation's step is re-read while WordPress is being installed. */
export const APP_POLL_MS = 1_000;

function wordPressKey(siteId: string) {
  return ['apps', siteId, 'wordpress'] as const;
}

function wordPressPath(siteId: string): string {
  return `/sites/${encodeURIComponent(siteId)}/apps/wordpress`;
}

/**
 * useWordPressInstall reads a site's WordPress installation: null when it was never installed (the API's 404),
 * else its status, with the step while installing. It polls every second while an installation runs, and while
 * `poll` is set (this browser's install request is running, before the panel has recorded the first step).
 */
export function useWordPressInstall(siteId: string, options: { poll?: boolean } = {}) {
  return useQuery({
    queryKey: wordPressKey(siteId),
    queryFn: async (): Promise<TAppInstall | null> => {
      try {
        return await api<TAppInstall>('GET', wordPressPath(siteId));
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    refetchInterval: (query) => (options.poll || query.state.data?.status === 'installing' ? APP_POLL_MS : false),
  });
}

/**
 * useInstallWordPress installs WordPress into an empty PHP site; the request answers when it is done (a few
 * seconds). The answer carries the generated administrator password once: the cached installation never does.
 */
export function useInstallWordPress(siteId: string) {
  const queryClient = useQueryClient();
  const others = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['databases'] }),
      queryClient.invalidateQueries({ queryKey: ['database-users'] }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
    ]);
  return useMutation({
    mutationFn: (body: z.output<typeof ZInstallWordPressRequest>) =>
      api<TStartedAppInstall>('POST', wordPressPath(siteId), body),
    onSuccess: async (started) => {
      // A poll still in flight answered before the installation finished: it must not overwrite the result.
      await queryClient.cancelQueries({ queryKey: wordPressKey(siteId) });
      const { adminPassword: _secret, ...install } = started;
      queryClient.setQueryData<TAppInstall | null>(wordPressKey(siteId), install);
      await others();
    },
    onError: () => Promise.all([queryClient.invalidateQueries({ queryKey: wordPressKey(siteId) }), others()]),
  });
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TBackup, TRestore, TRestoreRequest, TSnapshotListing, TTerminatedTenants } from '@berth/contracts';
import { api, apiUrl, queryString } from '../api';

/** BACKUP_POLL_MS is how often the lists refresh while a backup or restore is queued or running. */
export const BACKUP_POLL_MS = 3_000;

/** isBusy tells whether the backup worker still has work to do on a backup or restore. */
export function isBusy(item: Pick<TBackup | TRestore, 'status'>): boolean {
  return item.status === 'queued' || item.status === 'running';
}

/** pollWhileBusy is a refetchInterval: poll while any item is queued or running, stop once all are settled. */
function pollWhileBusy(items: readonly Pick<TBackup | TRestore, 'status'>[] | undefined): number | false {
  return items?.some(isBusy) ? BACKUP_POLL_MS : false;
}

function backupsPath(tenantId: string): string {
  return `/tenants/${encodeURIComponent(tenantId)}/backups`;
}

function backupPath(tenantId: string, backupId: string): string {
  return `${backupsPath(tenantId)}/${encodeURIComponent(backupId)}`;
}

/** useBackups lists a tenant's backups, newest first (nothing is asked until a tenant is known). */
export function useBackups(tenantId: string | undefined) {
  return useQuery({
    queryKey: ['backups', tenantId],
    queryFn: () => api<{ items: TBackup[] }>('GET', backupsPath(tenantId!)),
    enabled: Boolean(tenantId),
    refetchInterval: (query) => pollWhileBusy(query.state.data?.items),
  });
}

/** useTerminatedTenants lists terminated tenants whose backups are still kept (administrators restore them). */
export function useTerminatedTenants(enabled: boolean) {
  return useQuery({
    queryKey: ['backups', 'terminated'],
    queryFn: () => api<TTerminatedTenants>('GET', '/backups/terminated'),
    enabled,
  });
}

/** useRestores lists a tenant's restores, newest first. */
export function useRestores(tenantId: string | undefined) {
  return useQuery({
    queryKey: ['restores', tenantId],
    queryFn: () => api<{ items: TRestore[] }>('GET', `/tenants/${encodeURIComponent(tenantId!)}/restores`),
    enabled: Boolean(tenantId),
    refetchInterval: (query) => pollWhileBusy(query.state.data?.items),
  });
}

/** useBackUpNow queues a backup of one tenant (409 BACKUP_BUSY while one is queued or running). */
export function useBackUpNow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (tenantId: string) => api<TBackup>('POST', backupsPath(tenantId)),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['backups'] }),
        queryClient.invalidateQueries({ queryKey: ['events'] }),
      ]),
  });
}

/** useBackUpAll queues a backup of every tenant that has none queued or running (administrators). */
export function useBackUpAll() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ queued: number }>('POST', '/backups'),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['backups'] }),
        queryClient.invalidateQueries({ queryKey: ['events'] }),
      ]),
  });
}

export interface RestoreInput {
  tenantId: string;
  backupId: string;
  body: TRestoreRequest;
}

/** useRestoreBackup queues a restore of the whole account, a site, a database or one file or folder. */
export function useRestoreBackup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ tenantId, backupId, body }: RestoreInput) =>
      api<TRestore>('POST', `${backupPath(tenantId, backupId)}/restore`, body),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['restores'] }),
        queryClient.invalidateQueries({ queryKey: ['events'] }),
      ]),
  });
}

/** useSnapshotListing lists one folder of a backup (`''` is its root: sites, databases, panel). */
export function useSnapshotListing(tenantId: string, backupId: string, path: string) {
  return useQuery({
    queryKey: ['backup-files', tenantId, backupId, path],
    queryFn: () => api<TSnapshotListing>('GET', `${backupPath(tenantId, backupId)}/files${queryString({ path })}`),
    // A snapshot never changes: what was listed once stays true.
    staleTime: Infinity,
  });
}

/**
 * snapshotDownloadUrl is a plain link the browser follows with the session cookie: the API streams a file as
 * it is, a folder as a .tar archive.
 */
export function snapshotDownloadUrl(tenantId: string, backupId: string, path: string): string {
  return apiUrl(`${backupPath(tenantId, backupId)}/download${queryString({ path })}`);
}

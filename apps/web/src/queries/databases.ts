import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  TCreatedDatabase,
  TDatabase,
  TDatabaseAdminLink,
  TDatabaseUser,
  TDatabaseUserWithPassword,
  ZCreateDatabaseRequest,
  ZCreateDatabaseUserRequest,
  ZSetDatabaseUserGrantsRequest,
  ZSetDatabaseUserPasswordRequest,
} from '@berth/contracts';
import { api, queryString, type TPageOf } from '../api';

export interface DatabaseFilter {
  /** Operators narrow the list to one tenant; account owners always get their own. */
  tenantId?: string;
}

/** useDatabases lists databases (the account's own, or every tenant's for an admin) with their sizes and users. */
export function useDatabases(filter: DatabaseFilter = {}) {
  return useQuery({
    queryKey: ['databases', filter],
    queryFn: () => api<TPageOf<TDatabase>>('GET', `/databases${queryString({ limit: 500, ...filter })}`),
  });
}

/** useDatabaseUsers lists database users and the databases each may use (never their passwords). */
export function useDatabaseUsers(filter: DatabaseFilter = {}) {
  return useQuery({
    queryKey: ['database-users', filter],
    queryFn: () => api<TPageOf<TDatabaseUser>>('GET', `/database-users${queryString({ limit: 500, ...filter })}`),
  });
}

/** useInvalidateDatabases refreshes both lists: a database change shows in its users' rows and the other way round. */
function useInvalidateDatabases() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['databases'] }),
      queryClient.invalidateQueries({ queryKey: ['database-users'] }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
    ]);
}

/** useCreateDatabase creates `<prefix>_<name>`; with `user`, the answer holds that user's password, shown once. */
export function useCreateDatabase() {
  const invalidate = useInvalidateDatabases();
  return useMutation({
    mutationFn: (body: z.output<typeof ZCreateDatabaseRequest>) => api<TCreatedDatabase>('POST', '/databases', body),
    onSuccess: invalidate,
  });
}

/** useDeleteDatabase drops a database and everything in it. */
export function useDeleteDatabase() {
  const invalidate = useInvalidateDatabases();
  return useMutation({
    mutationFn: (id: string) => api('DELETE', `/databases/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

/** useCreateDatabaseUser creates a user; the answer holds its password, which the API never shows again. */
export function useCreateDatabaseUser() {
  const invalidate = useInvalidateDatabases();
  return useMutation({
    mutationFn: (body: z.output<typeof ZCreateDatabaseUserRequest>) =>
      api<TDatabaseUserWithPassword>('POST', '/database-users', body),
    onSuccess: invalidate,
  });
}

export function useDeleteDatabaseUser() {
  const invalidate = useInvalidateDatabases();
  return useMutation({
    mutationFn: (id: string) => api('DELETE', `/database-users/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

/** useSetDatabaseUserPassword sets the given password or rotates to a generated one; the answer shows it once. */
export function useSetDatabaseUserPassword() {
  const invalidate = useInvalidateDatabases();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: z.output<typeof ZSetDatabaseUserPasswordRequest> }) =>
      api<TDatabaseUserWithPassword>('POST', `/database-users/${encodeURIComponent(id)}/password`, body),
    onSuccess: invalidate,
  });
}

/** useSetDatabaseUserGrants makes the given databases (same tenant and engine) exactly those the user may use. */
export function useSetDatabaseUserGrants() {
  const invalidate = useInvalidateDatabases();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: z.output<typeof ZSetDatabaseUserGrantsRequest> }) =>
      api<TDatabaseUser>('PUT', `/database-users/${encodeURIComponent(id)}/databases`, body),
    onSuccess: invalidate,
  });
}

/**
 * useDatabaseAdminLogin asks for a one-time, two-minute sign-in link to phpMyAdmin (MariaDB users) or Adminer
 * (PostgreSQL users); 409 DB_ADMIN_NOT_CONFIGURED when the operator has not set them up.
 */
export function useDatabaseAdminLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, databaseId }: { id: string; databaseId?: string }) =>
      api<TDatabaseAdminLink>(
        'POST',
        `/database-users/${encodeURIComponent(id)}/admin-login`,
        databaseId ? { databaseId } : {},
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['events'] }),
  });
}

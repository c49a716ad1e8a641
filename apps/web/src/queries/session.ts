import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import type { TSessionResponse, TUser } from '@berth/contracts';
import { api, ApiError, forgetSession, rememberSession } from '../api';

export const SESSION_KEY = ['me'] as const;

/** useSession reads the signed-in user; a 401 means "not signed in" (null), not an error. */
export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => {
      try {
        const session = await api<TSessionResponse>('GET', '/me');
        rememberSession(session);
        return session;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** useUser is the signed-in user inside the shell, where a session is guaranteed. */
export function useUser(): TUser {
  const session = useSession();
  if (!session.data) throw new Error('useUser is only for views inside the signed-in shell.');
  return session.data.user;
}

/** useLogout ends the session and forgets every cached answer, so the next user sees none of them. */
export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => api('POST', '/auth/logout'),
    onSettled: () => {
      forgetSession();
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, null);
      void navigate('/login');
    },
  });
}

/**
 * switchSession makes `session` the console's session after the API swapped the cookie (signing in as a
 * tenant, returning from it): the new CSRF token, and no cached answer of the previous user kept.
 */
export function switchSession(queryClient: QueryClient, session: TSessionResponse): void {
  rememberSession(session);
  queryClient.clear();
  queryClient.setQueryData(SESSION_KEY, session);
}

/**
 * useEndImpersonation is "Return to your account": the administrator gets their own session back and lands
 * on the page of the tenant they were signed in as. If their own session ended meanwhile (401), they are
 * signed out and sign in again.
 */
export function useEndImpersonation() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: (_returnTo: { tenantId: string | null }) => api<TSessionResponse>('POST', '/auth/impersonation/end'),
    onSuccess: (session, { tenantId }) => {
      switchSession(queryClient, session);
      void navigate(tenantId ? `/tenants/${tenantId}` : '/');
    },
    onError: (error) => {
      if (!(error instanceof ApiError) || error.status !== 401) return;
      forgetSession();
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, null);
      void navigate('/login');
    },
  });
}

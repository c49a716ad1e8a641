import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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

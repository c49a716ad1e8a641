import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Navigate, NavLink, Outlet, useNavigate } from 'react-router';
import type { TSessionResponse } from '@berth/contracts';
import { api, ApiError, rememberSession } from '../api';

/** useSession reads the signed-in user; a 401 means "not signed in", not an error. */
export function useSession() {
  return useQuery({
    queryKey: ['me'],
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

/** Shell is the signed-in frame: navigation for the user's role, the signed-in user, sign out. */
export function Shell() {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation({
    mutationFn: () => api('POST', '/auth/logout'),
    onSettled: () => {
      queryClient.setQueryData(['me'], null);
      void navigate('/login');
    },
  });
  if (session.isPending) return <p className="status" role="status">Loading…</p>;
  if (session.isError) return <p className="alert" role="alert">The panel could not be reached. Reload to try again.</p>;
  if (!session.data) return <Navigate to="/login" replace />;
  const { user } = session.data;
  const admin = user.role === 'admin';
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Berth</span>
        <nav aria-label="Main">
          <NavLink to="/" end>{admin ? 'Dashboard' : 'Sites'}</NavLink>
          {admin && <NavLink to="/tenants">Tenants</NavLink>}
        </nav>
        <span className="who">{user.email} · {admin ? 'administrator' : 'account owner'}</span>
        <button type="button" onClick={() => logout.mutate()} disabled={logout.isPending}>Sign out</button>
      </header>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}

/** Home is the empty signed-in landing page until the console's views land. */
export function Home() {
  const session = useSession();
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">Welcome</h1>
      <p>Signed in as {session.data?.user.email}. The API and its documentation are at <a href="/api/docs">/api/docs</a>.</p>
    </section>
  );
}

import { Suspense } from 'react';
import { Outlet } from 'react-router';
import { DashboardPage, SitesPage } from '../../app/lazyPages';
import { useUser } from '../../queries/session';
import { NotFoundPage } from './NotFoundPage';
import { PageLoader } from './PageLoader';

/** HomePage is the operator dashboard for administrators and the site list for account owners. */
export function HomePage() {
  const user = useUser();
  return <Suspense fallback={<PageLoader />}>{user.role === 'admin' ? <DashboardPage /> : <SitesPage />}</Suspense>;
}

/** AdminOnly hides operator views from tenant users the same way the API does: as "not found". */
export function AdminOnly() {
  const user = useUser();
  return user.role === 'admin' ? <Outlet /> : <NotFoundPage />;
}

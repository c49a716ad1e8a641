import { Suspense } from 'react';
import { Outlet } from 'react-router';
import { DashboardPage } from '../../app/lazyPages';
import { useUser } from '../../queries/session';
import { NotFoundPage } from './NotFoundPage';
import { PageLoader } from './PageLoader';

/** HomePage is the dashboard: the operator's overview for administrators, the account's home for its users. */
export function HomePage() {
  return (
    <Suspense fallback={<PageLoader />}>
      <DashboardPage />
    </Suspense>
  );
}

/** AdminOnly hides operator views from tenant users the same way the API does: as "not found". */
export function AdminOnly() {
  const user = useUser();
  return user.role === 'admin' ? <Outlet /> : <NotFoundPage />;
}

import { Suspense, type ReactNode } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { AdminOnly, HomePage } from '../features/shell/RoleRoutes';
import { NotFoundPage } from '../features/shell/NotFoundPage';
import { PageLoader } from '../features/shell/PageLoader';
import { RouteErrorPage } from '../features/shell/RouteErrorPage';
import * as Pages from './lazyPages';

function page(node: ReactNode) {
  return <Suspense fallback={<PageLoader />}>{node}</Suspense>;
}

/**
 * routes is the console's URL map; operator-only views sit under AdminOnly and 404 for tenant users.
 * RouteErrorPage catches what a route throws (a lazy chunk that failed to download, a render error):
 * inside the shell for its pages, so the menu and Sign out stay, and on the top routes for the shell itself.
 */
export const routes: RouteObject[] = [
  { path: '/login', element: page(<Pages.LoginPage />), errorElement: <RouteErrorPage /> },
  {
    path: '/',
    element: page(<Pages.Shell />),
    errorElement: <RouteErrorPage />,
    children: [
      {
        errorElement: <RouteErrorPage />,
        children: [
          { index: true, element: <HomePage /> },
          { path: 'sites', element: page(<Pages.SitesPage />) },
          { path: 'sites/:siteId', element: page(<Pages.SiteDetailPage />) },
          { path: 'databases', element: page(<Pages.DatabasesPage />) },
          { path: 'backups', element: page(<Pages.BackupsPage />) },
          { path: 'cron', element: page(<Pages.CronPage />) },
          { path: 'sftp', element: page(<Pages.SftpPage />) },
          { path: 'events', element: page(<Pages.EventsPage />) },
          { path: 'tokens', element: page(<Pages.TokensPage />) },
          { path: 'account', element: page(<Pages.AccountPage />) },
          {
            element: <AdminOnly />,
            children: [
              { path: 'tenants', element: page(<Pages.TenantsPage />) },
              { path: 'tenants/:tenantId', element: page(<Pages.TenantDetailPage />) },
              { path: 'plans', element: page(<Pages.PlansPage />) },
              { path: 'domains', element: page(<Pages.DomainsPage />) },
            ],
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];

/** createConsoleRouter builds the browser router (tests build a memory router from the same routes). */
export function createConsoleRouter() {
  return createBrowserRouter(routes);
}

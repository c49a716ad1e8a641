import { lazy } from 'react';

// Each view is its own chunk: the first load only ships the router, the frame and the page asked for.
export const LoginPage = lazy(() => import('../features/auth/LoginPage').then((m) => ({ default: m.LoginPage })));
export const AccountPage = lazy(() => import('../features/auth/AccountPage').then((m) => ({ default: m.AccountPage })));
export const EnrolmentRequiredPage = lazy(() =>
  import('../features/auth/EnrolmentRequiredPage').then((m) => ({ default: m.EnrolmentRequiredPage })),
);
export const DashboardPage = lazy(() => import('../pages/DashboardPage').then((m) => ({ default: m.DashboardPage })));
export const TenantsPage = lazy(() =>
  import('../features/tenants/TenantsPage').then((m) => ({ default: m.TenantsPage })),
);
export const TenantDetailPage = lazy(() =>
  import('../pages/TenantDetailPage').then((m) => ({ default: m.TenantDetailPage })),
);
export const PlansPage = lazy(() => import('../features/plans/PlansPage').then((m) => ({ default: m.PlansPage })));
export const SitesPage = lazy(() => import('../features/sites/SitesPage').then((m) => ({ default: m.SitesPage })));
export const SiteDetailPage = lazy(() =>
  import('../pages/SiteDetailPage').then((m) => ({ default: m.SiteDetailPage })),
);
export const DomainsPage = lazy(() => import('../pages/DomainsPage').then((m) => ({ default: m.DomainsPage })));
export const DatabasesPage = lazy(() =>
  import('../features/databases/DatabasesPage').then((m) => ({ default: m.DatabasesPage })),
);
export const BackupsPage = lazy(() =>
  import('../features/backups/BackupsPage').then((m) => ({ default: m.BackupsPage })),
);
export const CronPage = lazy(() => import('../features/cron/CronPage').then((m) => ({ default: m.CronPage })));
export const SftpPage = lazy(() => import('../features/sftp/SftpPage').then((m) => ({ default: m.SftpPage })));
export const EventsPage = lazy(() => import('../features/events/EventsPage').then((m) => ({ default: m.EventsPage })));
export const TokensPage = lazy(() => import('../features/tokens/TokensPage').then((m) => ({ default: m.TokensPage })));
export const Shell = lazy(() => import('../features/shell/Shell').then((m) => ({ default: m.Shell })));

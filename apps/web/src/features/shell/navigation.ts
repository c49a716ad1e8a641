import type { TRole } from '@berth/contracts';

export interface NavItem {
  to: string;
  label: string;
}

const ADMIN: NavItem[] = [
  { to: '/', label: 'Dashboard' },
  { to: '/tenants', label: 'Tenants' },
  { to: '/plans', label: 'Plans' },
  { to: '/sites', label: 'Sites' },
  { to: '/domains', label: 'Domains' },
  { to: '/databases', label: 'Databases' },
  { to: '/backups', label: 'Backups' },
  { to: '/cron', label: 'Cron jobs' },
  { to: '/sftp', label: 'SFTP' },
  { to: '/events', label: 'Events' },
  { to: '/tokens', label: 'API tokens' },
  { to: '/account', label: 'Account' },
];

const TENANT: NavItem[] = [
  { to: '/', label: 'Home' },
  { to: '/sites', label: 'Sites' },
  { to: '/databases', label: 'Databases' },
  { to: '/backups', label: 'Backups' },
  { to: '/cron', label: 'Cron jobs' },
  { to: '/sftp', label: 'SFTP' },
  { to: '/events', label: 'Events' },
  { to: '/tokens', label: 'API tokens' },
  { to: '/account', label: 'Account' },
];

/** navigationFor lists the views a role may open, in menu order. */
export function navigationFor(role: TRole): NavItem[] {
  return role === 'admin' ? ADMIN : TENANT;
}

/** isActive tells whether a menu item is the current view ("/" only matches itself, others their subtree). */
export function isActive(item: NavItem, pathname: string): boolean {
  if (item.to === '/') return pathname === '/';
  return pathname === item.to || pathname.startsWith(`${item.to}/`);
}

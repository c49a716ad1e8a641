import type { TRole, TTokenScope } from '@berth/contracts';
import { AppError } from '../errors.js';

/**
 * Principal is who is calling: a signed-in browser session, a bearer token, or the host's CLI.
 * Authorization decisions read only this object.
 */
export interface Principal {
  via: 'session' | 'token' | 'cli';
  userId: string | null;
  role: TRole;
  /** null for admins: they are not scoped to a tenant. */
  tenantId: string | null;
  scope: TTokenScope;
  tokenId: string | null;
  sessionId: string | null;
  /**
   * Set only on an impersonation session ("Sign in as this tenant"): the administrator acting as this tenant
   * user. The principal otherwise is the tenant user's own, with exactly its rights.
   */
  impersonatorId?: string | null;
}

/** RequestContext is what every service call receives besides its input: who, from where, which request. */
export interface RequestContext {
  principal: Principal;
  ip: string | null;
  reqId: string;
}

/**
 * actorOf names the principal in events: `user:<id>`, `token:<id>` or `cli`. An impersonation session is
 * named as the tenant user it acts as; the administrator behind it is in the event's details
 * (impersonationDetails).
 */
export function actorOf(principal: Principal): string {
  if (principal.via === 'token') return `token:${principal.tokenId}`;
  if (principal.via === 'cli') return 'cli';
  return `user:${principal.userId}`;
}

/**
 * impersonationDetails is what an event made through an impersonation session adds to its details, so the
 * administrator behind the tenant user it names as actor can be told: `{ impersonatorId }`, or nothing.
 */
export function impersonationDetails(principal: Principal): { impersonatorId?: string } {
  return principal.impersonatorId ? { impersonatorId: principal.impersonatorId } : {};
}

export function isAdmin(principal: Principal): boolean {
  return principal.role === 'admin';
}

/** requireAdmin refuses anyone but an admin with full rights (a billing token is checked separately). */
export function requireAdmin(principal: Principal): void {
  if (principal.role !== 'admin') throw new AppError('FORBIDDEN', 'Only administrators can do this.');
}

/**
 * requireWrite refuses read-only tokens and billing tokens on actions outside the account lifecycle.
 * `billing: true` marks an action that belongs to the account lifecycle a billing system runs.
 */
export function requireWrite(principal: Principal, opts: { billing?: boolean } = {}): void {
  if (principal.scope === 'read')
    throw new AppError('FORBIDDEN', 'This token is read-only; use a token with the "full" scope.');
  if (principal.scope === 'billing' && !opts.billing) {
    throw new AppError(
      'FORBIDDEN',
      'A billing token can only run the account lifecycle (create, suspend, unsuspend, terminate, change plan).',
    );
  }
}

/**
 * suspendedTenantMay tells the writes a user of a suspended tenant may still make: signing out, and those
 * on its own sign-in under /api/v1/me/ (password, two-factor), so a user can still secure its account while
 * the suspension is sorted out; and an administrator signed in as the tenant may return to their own
 * account. Everything else, including a route added later, is refused.
 */
function suspendedTenantMay(principal: Principal, route: { method: string; url: string }): boolean {
  if (route.method === 'POST' && route.url === '/api/v1/auth/impersonation/end')
    return Boolean(principal.impersonatorId);
  return (route.method === 'POST' && route.url === '/api/v1/auth/logout') || route.url.startsWith('/api/v1/me/');
}

/**
 * requireTenantActive is the one rule of suspension: every write (POST, PUT, PATCH, DELETE) by a user of a
 * suspended tenant, through a session or any of its tokens (read-only ones too), is TENANT_SUSPENDED, on
 * every route but those suspendedTenantMay names. Reads stay open. Admins, their tokens and billing tokens are not
 * tenant users: they run the lifecycle that unsuspends the tenant and are never held back here. The auth
 * hook applies it to the route the router matched, so no service has to remember it.
 */
export function requireTenantActive(
  principal: Principal,
  route: { method: string; url: string },
  tenantStatus: string | null,
): void {
  if (principal.role === 'admin' || principal.scope === 'billing' || tenantStatus !== 'suspended') return;
  if (route.method === 'GET' || route.method === 'HEAD' || route.method === 'OPTIONS') return;
  if (suspendedTenantMay(principal, route)) return;
  throw new AppError(
    'TENANT_SUSPENDED',
    'This account is suspended: nothing can be changed until it is unsuspended (you can still read, sign out and change your password).',
  );
}

/** requireNotBilling refuses billing tokens on reads outside the account lifecycle (sites, files, events). */
export function requireNotBilling(principal: Principal): void {
  if (principal.scope === 'billing') {
    throw new AppError('FORBIDDEN', 'A billing token can only run the account lifecycle and read plans and accounts.');
  }
}

/**
 * tenantScope is the tenant filter for every tenant-data query: `undefined` for admins (all tenants),
 * the principal's own tenant otherwise. Tenant users without a tenant see nothing.
 */
export function tenantScope(principal: Principal): string | undefined {
  if (principal.role === 'admin') return undefined;
  return principal.tenantId ?? '\u0000no-tenant';
}

/** canSeeTenant tells whether the principal may see data of `tenantId`. */
export function canSeeTenant(principal: Principal, tenantId: string): boolean {
  return principal.role === 'admin' || principal.tenantId === tenantId;
}

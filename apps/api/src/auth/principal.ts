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
}

/** RequestContext is what every service call receives besides its input: who, from where, which request. */
export interface RequestContext {
  principal: Principal;
  ip: string | null;
  reqId: string;
}

/** actorOf names the principal in events: `user:<id>`, `token:<id>` or `cli`. */
export function actorOf(principal: Principal): string {
  if (principal.via === 'token') return `token:${principal.tokenId}`;
  if (principal.via === 'cli') return 'cli';
  return `user:${principal.userId}`;
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
  if (principal.scope === 'read') throw new AppError('FORBIDDEN', 'This token is read-only; use a token with the "full" scope.');
  if (principal.scope === 'billing' && !opts.billing) {
    throw new AppError('FORBIDDEN', 'A billing token can only run the account lifecycle (create, suspend, unsuspend, terminate, change plan).');
  }
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

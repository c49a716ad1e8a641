import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import type { TRole } from '@berth/contracts';
import type { Principal } from './principal.js';
import { randomSecret, sha256 } from './secrets.js';

/** SESSION_TTL_MS is how long a console session lasts, however it was opened (password or SSO link). */
export const SESSION_TTL_MS = 12 * 60 * 60_000;

/** SessionUser is what opening a session needs to know of its user. */
export type SessionUser = { id: string; role: string; tenantId: string | null };

/**
 * openSession stores a new console session for `user` inside the caller's transaction (only the SHA-256
 * of the cookie value) and returns the cookie value and the session's principal. Password logins, SSO
 * links and impersonation all open sessions here. `expiresAt` defaults to SESSION_TTL_MS from now;
 * `impersonator` marks a session an administrator opened as a tenant user (auth/impersonation.ts).
 */
export async function openSession(
  tx: Pick<Db, 'session'>,
  user: SessionUser,
  ip: string | null,
  opts: { expiresAt?: Date; impersonator?: { userId: string; sessionId: string } } = {},
): Promise<{ secret: string; principal: Principal }> {
  const secret = randomSecret();
  const sessionId = newId();
  await tx.session.create({
    data: {
      id: sessionId,
      tokenHash: sha256(secret),
      userId: user.id,
      ip,
      expiresAt: opts.expiresAt ?? new Date(Date.now() + SESSION_TTL_MS),
      impersonatorId: opts.impersonator?.userId ?? null,
      impersonatorSessionId: opts.impersonator?.sessionId ?? null,
    },
  });
  return { secret, principal: sessionPrincipal(user, sessionId, opts.impersonator?.userId ?? null) };
}

/** sessionPrincipal is the principal of a browser session: the user's own rights, full scope. */
export function sessionPrincipal(
  user: SessionUser,
  sessionId: string,
  impersonatorId: string | null = null,
): Principal {
  return {
    via: 'session',
    userId: user.id,
    role: user.role as TRole,
    tenantId: user.tenantId,
    scope: 'full',
    tokenId: null,
    sessionId,
    ...(impersonatorId ? { impersonatorId } : {}),
  };
}

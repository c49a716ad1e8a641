import type { Db } from '@berth/db';
import type { TImpersonatedBy } from '@berth/contracts';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import type { UserRow } from './auth.service.js';
import type { Principal, RequestContext } from './principal.js';
import { openSession, sessionPrincipal } from './sessions.js';

/**
 * IMPERSONATION_TTL_MS: a session an administrator opens as a tenant ("Sign in as this tenant") lasts an hour
 * at most, and never past the administrator's own session.
 */
export const IMPERSONATION_TTL_MS = 60 * 60_000;

/** Impersonation is an open impersonation session: the tenant user it acts as, and its cookie value. */
export interface Impersonation {
  user: UserRow;
  cookie: string;
  principal: Principal;
}

/**
 * startImpersonation opens a session as the owner of `tenantId` for the administrator behind `ctx` (the caller
 * has authorized: an administrator's own browser session). The administrator's session is set aside, not
 * ended: the new session remembers it (`impersonatorSessionId`) and lives only while it does, so returning can
 * only lead back to that administrator's sign-in. Event `tenant.impersonation-started`, actor the administrator.
 */
export async function startImpersonation(db: Db, ctx: RequestContext, tenantId: string): Promise<Impersonation> {
  const { userId: adminId, sessionId: adminSessionId } = ctx.principal;
  if (!adminId || !adminSessionId) throw notBrowserAdmin();
  const now = Date.now();
  return db.$transaction(async (tx) => {
    const tenant = await tx.tenant.findUnique({ where: { id: tenantId }, select: { id: true } });
    if (!tenant) throw notFound('Tenant');
    // The owner whom the console names on the tenant's page (the first one), never an admin or a member.
    const owner = await tx.user.findFirst({ where: { tenantId, role: 'tenant-owner' }, orderBy: { createdAt: 'asc' } });
    if (!owner) throw new AppError('NOT_FOUND', 'This tenant has no owner to sign in as.');
    const own = await tx.session.findUnique({
      where: { id: adminSessionId },
      select: { userId: true, expiresAt: true },
    });
    if (!own || own.userId !== adminId || own.expiresAt.getTime() <= now)
      throw new AppError('UNAUTHENTICATED', 'Your session has ended; sign in again.');
    const expiresAt = new Date(Math.min(now + IMPERSONATION_TTL_MS, own.expiresAt.getTime()));
    const opened = await openSession(tx, owner, ctx.ip, {
      expiresAt,
      impersonator: { userId: adminId, sessionId: adminSessionId },
    });
    await recordEvent(tx, ctx, {
      action: 'tenant.impersonation-started',
      targetType: 'tenant',
      targetId: tenantId,
      tenantId,
      details: {
        userId: owner.id,
        email: owner.email,
        sessionId: opened.principal.sessionId,
        expiresAt: expiresAt.toISOString(),
      },
    });
    return { user: owner, cookie: opened.secret, principal: opened.principal };
  });
}

/**
 * endImpersonation ends the impersonation session behind `ctx`, with event `tenant.impersonation-ended`
 * (actor the administrator). The administrator's set-aside session ends with it; on `return` they get a
 * fresh session in its place, expiring when it would have, without a password: the impersonation session
 * is the proof, and it can only lead back to the administrator who opened it. Answers null when there is
 * nobody to return to (their own session ended meanwhile or they are no longer an administrator) or on
 * `sign-out`: the browser is then signed out. Only an impersonation session may call it (FORBIDDEN).
 */
export async function endImpersonation(
  db: Db,
  ctx: RequestContext,
  { via }: { via: 'return' | 'sign-out' },
): Promise<Impersonation | null> {
  const { principal } = ctx;
  const impersonatorId = principal.impersonatorId;
  const sessionId = principal.sessionId;
  if (principal.via !== 'session' || !impersonatorId || !sessionId)
    throw new AppError(
      'FORBIDDEN',
      'Only a session an administrator opened as a tenant can return to the administrator.',
    );
  const now = Date.now();
  return db.$transaction(async (tx) => {
    const session = await tx.session.findUnique({ where: { id: sessionId } });
    // The delete claims the session: of two racing returns one wins, the other ends here.
    const claimed = await tx.session.deleteMany({ where: { id: sessionId, impersonatorId } });
    if (!session || claimed.count !== 1) throw new AppError('UNAUTHENTICATED', 'This session has already ended.');
    const own = session.impersonatorSessionId
      ? await tx.session.findUnique({ where: { id: session.impersonatorSessionId }, include: { user: true } })
      : null;
    if (own?.userId === impersonatorId) await tx.session.delete({ where: { id: own.id } });
    const returnTo =
      via === 'return' && own?.userId === impersonatorId && own.user.role === 'admin' && own.expiresAt.getTime() > now
        ? own
        : null;
    const opened = returnTo ? await openSession(tx, returnTo.user, ctx.ip, { expiresAt: returnTo.expiresAt }) : null;
    const actor =
      opened?.principal ??
      sessionPrincipal(
        { id: impersonatorId, role: 'admin', tenantId: null },
        session.impersonatorSessionId ?? sessionId,
      );
    await recordEvent(
      tx,
      { principal: actor, ip: ctx.ip },
      {
        action: 'tenant.impersonation-ended',
        targetType: 'tenant',
        targetId: principal.tenantId,
        tenantId: principal.tenantId,
        details: { userId: principal.userId, sessionId, via, returned: opened !== null },
      },
    );
    return returnTo && opened ? { user: returnTo.user, cookie: opened.secret, principal: opened.principal } : null;
  });
}

/**
 * impersonationIsLive tells whether an impersonation session may still be used: the administrator's own
 * session it set aside still exists, has not expired, and is still an administrator's. Ending, demoting or
 * deleting the administrator ends their impersonation at once.
 */
export async function impersonationIsLive(
  db: Pick<Db, 'session'>,
  session: { impersonatorId: string | null; impersonatorSessionId: string | null },
  now: number,
): Promise<boolean> {
  if (!session.impersonatorId || !session.impersonatorSessionId) return false;
  const own = await db.session.findUnique({
    where: { id: session.impersonatorSessionId },
    select: { userId: true, expiresAt: true, user: { select: { role: true } } },
  });
  return own?.userId === session.impersonatorId && own.user.role === 'admin' && own.expiresAt.getTime() > now;
}

/** describeImpersonator is `/me`'s `impersonatedBy` for an impersonation session, or null for any other. */
export async function describeImpersonator(
  db: Pick<Db, 'session' | 'user'>,
  principal: Pick<Principal, 'impersonatorId' | 'sessionId'>,
): Promise<TImpersonatedBy | null> {
  if (!principal.impersonatorId || !principal.sessionId) return null;
  const [session, admin] = await Promise.all([
    db.session.findUnique({ where: { id: principal.sessionId }, select: { expiresAt: true } }),
    db.user.findUnique({ where: { id: principal.impersonatorId }, select: { email: true } }),
  ]);
  if (!session || !admin) return null;
  return { email: admin.email, expiresAt: session.expiresAt.toISOString() };
}

function notBrowserAdmin(): AppError {
  return new AppError('FORBIDDEN', 'Only an administrator signed in to the console can sign in as a tenant.');
}

import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import type { TRole, TSessionResponse, TTokenScope, TUser } from '@berth/contracts';
import { AppError } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { LoginLimiter } from './login-limiter.js';
import { burnVerifyTime, hashPassword, verifyPassword } from './passwords.js';
import { requireWrite, type Principal, type RequestContext } from './principal.js';
import { csrfTokenFor, parseApiToken, randomSecret, safeEqual, sha256 } from './secrets.js';

/** SESSION_TTL_MS is how long a console session lasts, however it was opened (password or SSO link). */
export const SESSION_TTL_MS = 12 * 60 * 60_000;
const ACCOUNT_MAX_FAILURES = 10;
const ACCOUNT_LOCK_MS = 15 * 60_000;
const CACHE_TTL_MS = 10_000;
const LAST_USED_EVERY_MS = 60_000;

type UserRow = Awaited<ReturnType<Db['user']['findFirstOrThrow']>>;

export function toUser(row: UserRow): TUser {
  return { id: row.id, email: row.email, role: row.role as TRole, tenantId: row.tenantId, createdAt: row.createdAt.toISOString() };
}

interface CachedPrincipal {
  principal: Principal;
  expiresAt: number;
  /** For sessions: the session's own expiry, checked on every hit. */
  hardExpiry: number;
}

/**
 * AuthService signs users in and out and resolves cookies and bearer tokens to a Principal. Resolved
 * principals are cached for a few seconds (the panel is one process) and dropped at once on logout,
 * token revocation, password change, role change, suspension or deletion.
 */
export class AuthService {
  private readonly cache = new Map<string, CachedPrincipal>();
  private readonly lastUsedWrites = new Map<string, number>();
  readonly limiter = new LoginLimiter();

  constructor(private readonly db: Db) {}

  async login(input: { email: string; password: string; ip: string | null }): Promise<{ session: TSessionResponse; cookie: string }> {
    const ip = input.ip ?? 'unknown';
    const wait = this.limiter.retryAfterSeconds(ip);
    if (wait > 0) {
      throw new AppError('RATE_LIMITED', `Too many failed logins from this address. Try again in ${wait} seconds.`, { details: { retryAfterSeconds: wait } });
    }
    const user = await this.db.user.findUnique({ where: { email: input.email } });
    const now = new Date();
    if (user?.lockedUntil && user.lockedUntil > now) {
      const seconds = Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 1000);
      await recordEvent(this.db, null, { action: 'auth.login', targetType: 'user', targetId: user.id, tenantId: user.tenantId, result: 'error', message: 'account locked' });
      throw new AppError('RATE_LIMITED', `Too many failed logins for this account. Try again in ${seconds} seconds.`, { details: { retryAfterSeconds: seconds } });
    }
    const ok = user ? await verifyPassword(user.passwordHash, input.password) : (await burnVerifyTime(input.password), false);
    if (!user || !ok) {
      this.limiter.recordFailure(ip);
      if (user) {
        const failures = user.failedLogins + 1;
        await this.db.user.update({
          where: { id: user.id },
          data: failures >= ACCOUNT_MAX_FAILURES ? { failedLogins: 0, lockedUntil: new Date(now.getTime() + ACCOUNT_LOCK_MS) } : { failedLogins: failures },
        });
      }
      await this.db.event.create({
        data: { id: newId(), actor: 'anonymous', action: 'auth.login', targetType: 'user', targetId: user?.id ?? null, tenantId: user?.tenantId ?? null, result: 'error', message: 'invalid credentials', ip: input.ip },
      });
      throw new AppError('INVALID_CREDENTIALS', 'The email or password is wrong.');
    }
    this.limiter.recordSuccess(ip);
    const secret = await this.db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } });
      const session = await openSession(tx, user, input.ip);
      await recordEvent(tx, { principal: session.principal, ip: input.ip }, { action: 'auth.login', targetType: 'user', targetId: user.id, tenantId: user.tenantId });
      return session.secret;
    });
    return { session: { user: toUser(user), csrfToken: csrfTokenFor(secret) }, cookie: secret };
  }

  async logout(ctx: RequestContext, cookie: string): Promise<void> {
    const tokenHash = sha256(cookie);
    this.cache.delete(`s:${tokenHash}`);
    await this.db.$transaction(async (tx) => {
      await tx.session.deleteMany({ where: { tokenHash } });
      await recordEvent(tx, ctx, { action: 'auth.logout', targetType: 'user', targetId: ctx.principal.userId, tenantId: ctx.principal.tenantId });
    });
  }

  /** me answers the signed-in user and, for browser sessions, the CSRF token to send on mutations. */
  async me(principal: Principal, cookie: string | undefined): Promise<TSessionResponse> {
    const user = principal.userId ? await this.db.user.findUnique({ where: { id: principal.userId } }) : null;
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
    return { user: toUser(user), csrfToken: cookie ? csrfTokenFor(cookie) : '' };
  }

  /** resolveSession turns a session cookie into a principal, or null when it is unknown or expired. */
  async resolveSession(cookie: string): Promise<Principal | null> {
    const tokenHash = sha256(cookie);
    const key = `s:${tokenHash}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now && hit.hardExpiry > now) return hit.principal;
    const session = await this.db.session.findUnique({ where: { tokenHash }, include: { user: true } });
    if (!session || session.expiresAt.getTime() <= now) {
      this.cache.delete(key);
      return null;
    }
    const principal = sessionPrincipal(session.user, session.id);
    this.cache.set(key, { principal, expiresAt: now + CACHE_TTL_MS, hardExpiry: session.expiresAt.getTime() });
    return principal;
  }

  /** resolveToken turns `berth_<id>_<secret>` into a principal, or null when unknown, wrong or expired. */
  async resolveToken(value: string): Promise<Principal | null> {
    const parsed = parseApiToken(value);
    if (!parsed) return null;
    const key = `t:${sha256(value)}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now && hit.hardExpiry > now) return hit.principal;
    const token = await this.db.apiToken.findUnique({ where: { id: parsed.id }, include: { user: true } });
    if (!token || !safeEqual(token.secretHash, sha256(parsed.secret))) return null;
    if (token.expiresAt && token.expiresAt.getTime() <= now) return null;
    const scope = (JSON.parse(token.scopes) as TTokenScope[])[0] ?? 'read';
    const principal: Principal = {
      via: 'token',
      userId: token.userId,
      role: token.user.role as TRole,
      tenantId: token.user.tenantId,
      scope,
      tokenId: token.id,
      sessionId: null,
    };
    this.cache.set(key, { principal, expiresAt: now + CACHE_TTL_MS, hardExpiry: token.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY });
    const last = this.lastUsedWrites.get(token.id) ?? 0;
    if (now - last > LAST_USED_EVERY_MS) {
      this.lastUsedWrites.set(token.id, now);
      await this.db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date(now) } });
    }
    return principal;
  }

  /** forget drops cached principals after a change that must take effect at once (revocation, deletion…). */
  forgetAll(): void {
    this.cache.clear();
  }

  async changePassword(ctx: RequestContext, input: { currentPassword: string; newPassword: string }): Promise<void> {
    requireWrite(ctx.principal);
    const user = ctx.principal.userId ? await this.db.user.findUnique({ where: { id: ctx.principal.userId } }) : null;
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      throw new AppError('VALIDATION_FAILED', 'The current password is wrong.', { details: { issues: [{ path: ['currentPassword'], message: 'The current password is wrong.' }] } });
    }
    const passwordHash = await hashPassword(input.newPassword);
    await this.db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
      // Every other session of this user ends; the current one stays.
      await tx.session.deleteMany({ where: { userId: user.id, NOT: { id: ctx.principal.sessionId ?? '' } } });
      await recordEvent(tx, ctx, { action: 'user.password-change', targetType: 'user', targetId: user.id, tenantId: user.tenantId });
    });
    this.forgetAll();
  }
}

/**
 * openSession stores a new console session for `user` inside the caller's transaction (only the SHA-256
 * of the cookie value) and returns the cookie value and the session's principal. Password logins and SSO
 * links both open sessions here.
 */
export async function openSession(
  tx: Pick<Db, 'session'>,
  user: Pick<UserRow, 'id' | 'role' | 'tenantId'>,
  ip: string | null,
): Promise<{ secret: string; principal: Principal }> {
  const secret = randomSecret();
  const sessionId = newId();
  await tx.session.create({ data: { id: sessionId, tokenHash: sha256(secret), userId: user.id, ip, expiresAt: new Date(Date.now() + SESSION_TTL_MS) } });
  return { secret, principal: sessionPrincipal(user, sessionId) };
}

function sessionPrincipal(user: Pick<UserRow, 'id' | 'role' | 'tenantId'>, sessionId: string): Principal {
  return { via: 'session', userId: user.id, role: user.role as TRole, tenantId: user.tenantId, scope: 'full', tokenId: null, sessionId };
}

import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import type { TLoginChallenge, TRole, TSessionResponse, TSessionTenant, TUser } from '@berth/contracts';
import { AppError } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { HashGate } from './hash-gate.js';
import { describeImpersonator, endImpersonation, impersonationIsLive, startImpersonation } from './impersonation.js';
import { LoginChallenges } from './login-challenges.js';
import { addressKey, LoginLimiter, type Attempt } from './login-limiter.js';
import { burnVerifyTime, hashPassword, prepareDummyHash, verifyPassword } from './passwords.js';
import { requireWrite, type Principal, type RequestContext } from './principal.js';
import { tokenScopeOf } from '../tokens/tokens.service.js';
import { csrfTokenFor, parseApiToken, safeEqual, sha256 } from './secrets.js';
import { openSession, sessionPrincipal } from './sessions.js';

export { openSession, SESSION_TTL_MS } from './sessions.js';
const CACHE_TTL_MS = 10_000;
const LAST_USED_EVERY_MS = 60_000;

export type UserRow = Awaited<ReturnType<Db['user']['findFirstOrThrow']>>;

export function toUser(row: UserRow): TUser {
  return {
    id: row.id,
    email: row.email,
    role: row.role as TRole,
    tenantId: row.tenantId,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * enrolmentRequired is the BERTH_REQUIRE_ADMIN_2FA rule: an administrator's browser session without
 * two-factor sign-in may only enrol, read /me and sign out. API tokens are not affected (a billing
 * system's token must keep working), and new tokens can only be minted from an enrolled session.
 */
export function enrolmentRequired(
  requireAdminTwoFactor: boolean,
  principal: Pick<Principal, 'via' | 'role'>,
  user: Pick<UserRow, 'totpEnabledAt'>,
): boolean {
  return (
    requireAdminTwoFactor && principal.via === 'session' && principal.role === 'admin' && user.totpEnabledAt === null
  );
}

/** AuthOptions: the installation's two-factor rule and, for tests and the bench, the limits. */
export interface AuthOptions {
  requireAdminTwoFactor?: boolean;
  limiter?: LoginLimiter;
  hashGate?: HashGate;
}

/** LoginResult is a session, or for two-factor users the challenge POST /auth/login/totp takes. */
export type LoginResult =
  { kind: 'session'; session: TSessionResponse; cookie: string } | { kind: 'challenge'; challenge: TLoginChallenge };

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
  readonly limiter: LoginLimiter;
  readonly hashGate: HashGate;
  readonly challenges = new LoginChallenges();
  readonly requireAdminTwoFactor: boolean;

  constructor(
    private readonly db: Db,
    opts: AuthOptions = {},
  ) {
    this.limiter = opts.limiter ?? new LoginLimiter();
    this.hashGate = opts.hashGate ?? new HashGate();
    this.requireAdminTwoFactor = opts.requireAdminTwoFactor ?? false;
    // The first unknown email must not take longer than the rest (it would build the dummy hash).
    void prepareDummyHash();
  }

  /**
   * login checks a password under the sign-in limits (LoginLimiter, HashGate). Wrong password and unknown
   * email get the same answer, take the same work and leave the same limiter state. Right password: a
   * session, or a single-use challenge when the user has two-factor sign-in.
   */
  async login(input: { email: string; password: string; ip: string | null }): Promise<LoginResult> {
    const attempt: Attempt = { kind: 'password', account: input.email, address: addressKey(input.ip) };
    const { user, ok } = await this.checkPassword(attempt, input.password, () =>
      this.db.user.findUnique({ where: { email: input.email } }),
    );
    if (!user || !ok) {
      const waitMs = this.limiter.recordFailure(attempt);
      // Who was targeted is for the audit trail only; the caller learns nothing about it.
      await this.db.event.create({
        data: {
          id: newId(),
          actor: 'anonymous',
          action: 'auth.login',
          targetType: 'user',
          targetId: user?.id ?? null,
          tenantId: user?.tenantId ?? null,
          result: 'error',
          ip: input.ip,
          message:
            waitMs > 0
              ? `invalid credentials; next attempt for this email from this address in ${Math.ceil(waitMs / 1000)} s`
              : 'invalid credentials',
        },
      });
      throw new AppError('INVALID_CREDENTIALS', 'The email or password is wrong.');
    }
    this.limiter.recordSuccess(attempt);
    if (user.totpEnabledAt) {
      const { challenge, expiresAt } = this.challenges.issue(user.id);
      await this.db.event.create({
        data: {
          id: newId(),
          actor: 'anonymous',
          action: 'auth.login-password',
          targetType: 'user',
          targetId: user.id,
          tenantId: user.tenantId,
          result: 'ok',
          ip: input.ip,
          message: 'password accepted; waiting for the second factor',
        },
      });
      return { kind: 'challenge', challenge: { twoFactor: 'required', challenge, expiresAt: expiresAt.toISOString() } };
    }
    return { kind: 'session', ...(await this.openLoggedSession(user, input.ip, {})) };
  }

  /**
   * openLoggedSession opens a console session after every factor was checked, with its `auth.login` event
   * (`details` says which second factor, if any).
   */
  async openLoggedSession(
    user: UserRow,
    ip: string | null,
    details: Record<string, unknown>,
  ): Promise<{ session: TSessionResponse; cookie: string }> {
    const secret = await this.db.$transaction(async (tx) => {
      const session = await openSession(tx, user, ip);
      await recordEvent(
        tx,
        { principal: session.principal, ip },
        {
          action: 'auth.login',
          targetType: 'user',
          targetId: user.id,
          tenantId: user.tenantId,
          ...(Object.keys(details).length > 0 ? { details } : {}),
        },
      );
      return session.secret;
    });
    const principal = { via: 'session' as const, role: user.role as TRole, sessionId: null };
    const session = await this.describeSession(user, principal, csrfTokenFor(secret));
    return { session, cookie: secret };
  }

  /**
   * checkPassword runs one password verification under the limits: RATE_LIMITED while the attempt must
   * wait or no hashing slot is free (nothing is hashed then), else the loaded user (null when unknown: the
   * dummy hash costs the same) and whether the password is right.
   */
  private async checkPassword(
    attempt: Attempt,
    password: string,
    load: () => Promise<UserRow | null>,
  ): Promise<{ user: UserRow | null; ok: boolean }> {
    this.limiter.assertMayTry(attempt);
    return this.hashGate.run(attempt.address, this.limiter.hasRecentFailures(attempt.address), async () => {
      const user = await load();
      if (!user) {
        await burnVerifyTime(password);
        return { user, ok: false };
      }
      return { user, ok: await verifyPassword(user.passwordHash, password) };
    });
  }

  /**
   * verifyCurrentPassword re-checks the signed-in user's password (password change, two-factor changes)
   * under the same limits as sign-in; a wrong one is VALIDATION_FAILED at `currentPassword`.
   */
  async verifyCurrentPassword(ctx: RequestContext, password: string): Promise<UserRow> {
    const known = ctx.principal.userId ? await this.db.user.findUnique({ where: { id: ctx.principal.userId } }) : null;
    if (!known) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
    const attempt: Attempt = { kind: 'password', account: known.email, address: addressKey(ctx.ip) };
    const { user, ok } = await this.checkPassword(attempt, password, async () => known);
    if (!user || !ok) {
      this.limiter.recordFailure(attempt);
      throw new AppError('VALIDATION_FAILED', 'The current password is wrong.', {
        details: { issues: [{ path: ['currentPassword'], message: 'The current password is wrong.' }] },
      });
    }
    this.limiter.recordSuccess(attempt);
    return user;
  }

  async logout(ctx: RequestContext, cookie: string): Promise<void> {
    const tokenHash = sha256(cookie);
    this.cache.delete(`s:${tokenHash}`);
    // Signing out while signed in as a tenant ends the impersonation and the administrator's set-aside session.
    if (ctx.principal.impersonatorId) {
      await endImpersonation(this.db, ctx, { via: 'sign-out' });
      // The administrator's set-aside session ended too; its cookie is not at hand to drop just its entry.
      this.forgetAll();
      return;
    }
    await this.db.$transaction(async (tx) => {
      await tx.session.deleteMany({ where: { tokenHash } });
      await recordEvent(tx, ctx, {
        action: 'auth.logout',
        targetType: 'user',
        targetId: ctx.principal.userId,
        tenantId: ctx.principal.tenantId,
      });
    });
  }

  /**
   * me answers the signed-in user, its two-factor state, its tenant (for the suspension banner), whether an
   * administrator is signed in as it, and, for browser sessions, the CSRF token to send on mutations.
   */
  async me(principal: Principal, cookie: string | undefined): Promise<TSessionResponse> {
    const user = principal.userId ? await this.db.user.findUnique({ where: { id: principal.userId } }) : null;
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
    return this.describeSession(user, principal, cookie ? csrfTokenFor(cookie) : '');
  }

  /** describeSession is the one TSessionResponse builder: sign-in, /me, and the switches in and out of impersonation. */
  private async describeSession(
    user: UserRow,
    principal: Pick<Principal, 'via' | 'role' | 'sessionId' | 'impersonatorId'>,
    csrfToken: string,
  ): Promise<TSessionResponse> {
    const twoFactor = {
      enabled: user.totpEnabledAt !== null,
      enrolmentRequired: enrolmentRequired(this.requireAdminTwoFactor, principal, user),
    };
    const [tenant, impersonatedBy] = await Promise.all([
      user.tenantId
        ? this.db.tenant.findUnique({
            where: { id: user.tenantId },
            select: { id: true, slug: true, name: true, status: true, suspendedReason: true },
          })
        : null,
      describeImpersonator(this.db, principal),
    ]);
    return {
      user: toUser(user),
      csrfToken,
      twoFactor,
      ...(tenant ? { tenant: toSessionTenant(tenant) } : {}),
      ...(impersonatedBy ? { impersonatedBy } : {}),
    };
  }

  /**
   * startImpersonation signs the administrator behind `ctx` in as the owner of `tenantId` (TenantsService
   * authorizes first): the new session's answer and cookie value. See auth/impersonation.ts.
   */
  async startImpersonation(
    ctx: RequestContext,
    tenantId: string,
  ): Promise<{ session: TSessionResponse; cookie: string }> {
    const opened = await startImpersonation(this.db, ctx, tenantId);
    const session = await this.describeSession(opened.user, opened.principal, csrfTokenFor(opened.cookie));
    return { session, cookie: opened.cookie };
  }

  /**
   * endImpersonation is "Return to your account": only from an impersonation session, and only back to the
   * administrator who opened it, with a fresh session of theirs. Their own session having ended meanwhile,
   * the browser is signed out (UNAUTHENTICATED) after the impersonation ended all the same.
   */
  async endImpersonation(ctx: RequestContext, cookie: string): Promise<{ session: TSessionResponse; cookie: string }> {
    requireWrite(ctx.principal);
    this.cache.delete(`s:${sha256(cookie)}`);
    const opened = await endImpersonation(this.db, ctx, { via: 'return' });
    // The administrator's set-aside session ended: no cached principal may outlive it.
    this.forgetAll();
    if (!opened)
      throw new AppError(
        'UNAUTHENTICATED',
        'The impersonation has ended, but your own session had ended too: sign in again.',
      );
    const session = await this.describeSession(opened.user, opened.principal, csrfTokenFor(opened.cookie));
    return { session, cookie: opened.cookie };
  }

  /** resolveSession turns a session cookie into a principal, or null when it is unknown or expired. */
  async resolveSession(cookie: string): Promise<Principal | null> {
    const tokenHash = sha256(cookie);
    const key = `s:${tokenHash}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now && hit.hardExpiry > now) return hit.principal;
    const session = await this.db.session.findUnique({ where: { tokenHash }, include: { user: true } });
    if (
      !session ||
      session.expiresAt.getTime() <= now ||
      (session.impersonatorId !== null && !(await impersonationIsLive(this.db, session, now)))
    ) {
      this.cache.delete(key);
      return null;
    }
    const principal = sessionPrincipal(session.user, session.id, session.impersonatorId);
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
    const scope = tokenScopeOf(token.scopes);
    const principal: Principal = {
      via: 'token',
      userId: token.userId,
      role: token.user.role as TRole,
      tenantId: token.user.tenantId,
      scope,
      tokenId: token.id,
      sessionId: null,
    };
    this.cache.set(key, {
      principal,
      expiresAt: now + CACHE_TTL_MS,
      hardExpiry: token.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
    });
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
    const user = await this.verifyCurrentPassword(ctx, input.currentPassword);
    // A challenge won with the old password must not outlive it.
    this.challenges.forgetUser(user.id);
    const passwordHash = await hashPassword(input.newPassword);
    await this.db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
      // Every other session of this user ends; the current one stays.
      await tx.session.deleteMany({ where: { userId: user.id, NOT: { id: ctx.principal.sessionId ?? '' } } });
      await recordEvent(tx, ctx, {
        action: 'user.password-change',
        targetType: 'user',
        targetId: user.id,
        tenantId: user.tenantId,
      });
    });
    this.forgetAll();
  }
}

function toSessionTenant(row: {
  id: string;
  slug: string;
  name: string;
  status: string;
  suspendedReason: string | null;
}): TSessionTenant {
  const suspended = row.status === 'suspended';
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: suspended ? 'suspended' : 'active',
    suspendedReason: suspended ? row.suspendedReason : null,
  };
}

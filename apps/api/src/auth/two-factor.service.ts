import { newId, type Db } from '@berth/db';
import type { TRecoveryCodes, TRole, TSessionResponse, TTwoFactorEnrolment, TTwoFactorStatus } from '@berth/contracts';
import { AppError } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import type { DataKey } from '../secrets/data-key.js';
import { enrolmentRequired, type AuthService, type UserRow } from './auth.service.js';
import { addressKey, type Attempt } from './login-limiter.js';
import type { Principal, RequestContext } from './principal.js';
import { hashRecoveryCode, matchTotp, newRecoveryCodes, newTotpSecret, otpauthUri, totpStep } from './totp.js';

/** ENROLMENT_TTL_MS is how long a started enrolment waits for its confirming code. */
export const ENROLMENT_TTL_MS = 10 * 60_000;
const ISSUER = 'Berth';

/** SecondFactor is what a user offers as the second factor: a code from the app or a recovery code. */
export interface SecondFactor {
  code?: string;
  recoveryCode?: string;
}

/**
 * TwoFactorService runs TOTP two-factor sign-in: enrolment (a pending secret kept in memory for ten
 * minutes, confirmed with a code, then stored encrypted with the data key along with the SHA-256 of ten
 * recovery codes), the second sign-in step, turning it off and new recovery codes. A code is good once:
 * the last accepted 30-second step per user is remembered in memory (a restart forgets it, leaving at most
 * one replay of a code seen in the 90 seconds before). Code attempts go through the same LoginLimiter as
 * passwords. Single sign-on links and API tokens never ask for a code: a billing system vouches for its
 * SSO user, and a token is itself the credential.
 */
export class TwoFactorService {
  private readonly pending = new Map<string, { secret: string; expiresAt: number }>();
  private readonly lastStep = new Map<string, number>();

  constructor(private readonly deps: { db: Db; dataKey: DataKey; auth: AuthService }) {}

  async status(ctx: RequestContext): Promise<TTwoFactorStatus> {
    const user = await this.userOf(ctx.principal);
    return {
      enabled: user.totpEnabledAt !== null,
      enabledAt: user.totpEnabledAt?.toISOString() ?? null,
      recoveryCodesLeft: user.totpEnabledAt ? recoveryHashes(user).length : 0,
      enrolmentRequired: enrolmentRequired(this.deps.auth.requireAdminTwoFactor, ctx.principal, user),
    };
  }

  /** enrolmentRequiredFor is the request gate's question: must this caller enrol before anything else? */
  async enrolmentRequiredFor(principal: Principal): Promise<boolean> {
    if (
      !this.deps.auth.requireAdminTwoFactor ||
      principal.via !== 'session' ||
      principal.role !== 'admin' ||
      !principal.userId
    )
      return false;
    const user = await this.deps.db.user.findUnique({
      where: { id: principal.userId },
      select: { totpEnabledAt: true },
    });
    return user !== null && enrolmentRequired(true, principal, user);
  }

  /** startEnrolment re-checks the password and hands out a new secret; nothing changes until it is confirmed. */
  async startEnrolment(ctx: RequestContext, input: { currentPassword: string }): Promise<TTwoFactorEnrolment> {
    requireSession(ctx.principal);
    const user = await this.deps.auth.verifyCurrentPassword(ctx, input.currentPassword);
    if (user.totpEnabledAt)
      throw new AppError(
        'TOTP_ALREADY_ENABLED',
        'Two-factor sign-in is already on; turn it off first to move it to another device.',
      );
    const secret = newTotpSecret();
    const expiresAt = Date.now() + ENROLMENT_TTL_MS;
    this.pending.set(user.id, { secret, expiresAt });
    this.prunePending();
    await recordEvent(this.deps.db, ctx, {
      action: 'user.two-factor-enrol',
      targetType: 'user',
      targetId: user.id,
      tenantId: user.tenantId,
    });
    return {
      secret,
      otpauthUri: otpauthUri({ issuer: ISSUER, account: user.email, secret }),
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /** confirmEnrolment turns two-factor sign-in on with a code from the new device and returns the recovery codes, once. */
  async confirmEnrolment(ctx: RequestContext, input: { code: string }): Promise<TRecoveryCodes> {
    requireSession(ctx.principal);
    const user = await this.userOf(ctx.principal);
    if (user.totpEnabledAt) throw new AppError('TOTP_ALREADY_ENABLED', 'Two-factor sign-in is already on.');
    const pending = this.pending.get(user.id);
    if (!pending || pending.expiresAt <= Date.now()) {
      this.pending.delete(user.id);
      throw new AppError(
        'TOTP_ENROLMENT_NOT_STARTED',
        'No set-up is waiting for a code (it lasts 10 minutes). Start again.',
      );
    }
    const attempt = secondFactorAttempt(user.id, ctx.ip);
    this.deps.auth.limiter.assertMayTry(attempt);
    const step = matchTotp(pending.secret, input.code, Date.now());
    if (step === null || !this.acceptStep(user.id, step)) {
      this.deps.auth.limiter.recordFailure(attempt);
      throw fieldError(
        'code',
        "The code does not match. Check that the device's clock is right and enter the code it shows now.",
      );
    }
    this.deps.auth.limiter.recordSuccess(attempt);
    const recoveryCodes = newRecoveryCodes();
    await this.deps.db.$transaction(async (tx) => {
      const updated = await tx.user.updateMany({
        where: { id: user.id, totpEnabledAt: null },
        data: {
          totpSecretEnc: this.deps.dataKey.encrypt(pending.secret),
          totpEnabledAt: new Date(),
          recoveryCodeHashes: JSON.stringify(recoveryCodes.map(hashRecoveryCode)),
        },
      });
      if (updated.count !== 1) throw new AppError('TOTP_ALREADY_ENABLED', 'Two-factor sign-in is already on.');
      await recordEvent(tx, ctx, {
        action: 'user.two-factor-confirm',
        targetType: 'user',
        targetId: user.id,
        tenantId: user.tenantId,
      });
    });
    this.pending.delete(user.id);
    return { recoveryCodes };
  }

  /** disable turns two-factor sign-in off; it takes the password and a code (or a recovery code). */
  async disable(ctx: RequestContext, input: SecondFactor & { currentPassword: string }): Promise<void> {
    requireSession(ctx.principal);
    const user = await this.deps.auth.verifyCurrentPassword(ctx, input.currentPassword);
    if (!user.totpEnabledAt) throw new AppError('TOTP_NOT_ENABLED', 'Two-factor sign-in is not on.');
    const attempt = secondFactorAttempt(user.id, ctx.ip);
    this.deps.auth.limiter.assertMayTry(attempt);
    const used = await this.deps.db.$transaction(async (tx) => {
      const factor = await this.consumeFactor(tx, user, input);
      if (!factor) return null;
      await tx.user.update({
        where: { id: user.id },
        data: { totpSecretEnc: null, totpEnabledAt: null, recoveryCodeHashes: '[]' },
      });
      if (factor === 'recovery-code')
        await recordEvent(tx, ctx, {
          action: 'user.recovery-code-use',
          targetType: 'user',
          targetId: user.id,
          tenantId: user.tenantId,
          details: { for: 'two-factor-disable' },
        });
      await recordEvent(tx, ctx, {
        action: 'user.two-factor-disable',
        targetType: 'user',
        targetId: user.id,
        tenantId: user.tenantId,
        details: { with: factor },
      });
      return factor;
    });
    if (!used) {
      this.deps.auth.limiter.recordFailure(attempt);
      throw factorError(input);
    }
    this.deps.auth.limiter.recordSuccess(attempt);
    this.deps.auth.challenges.forgetUser(user.id);
  }

  /** regenerateRecoveryCodes replaces every recovery code (a code from the app is required) and returns the new ones, once. */
  async regenerateRecoveryCodes(ctx: RequestContext, input: { code: string }): Promise<TRecoveryCodes> {
    requireSession(ctx.principal);
    const user = await this.userOf(ctx.principal);
    if (!user.totpEnabledAt) throw new AppError('TOTP_NOT_ENABLED', 'Two-factor sign-in is not on.');
    const attempt = secondFactorAttempt(user.id, ctx.ip);
    this.deps.auth.limiter.assertMayTry(attempt);
    if (!this.matchCode(user, input.code)) {
      this.deps.auth.limiter.recordFailure(attempt);
      throw fieldError('code', 'The code is wrong or was already used. Enter the code the app shows now.');
    }
    this.deps.auth.limiter.recordSuccess(attempt);
    const recoveryCodes = newRecoveryCodes();
    await this.deps.db.$transaction(async (tx) => {
      await tx.user.update({
        where: { id: user.id },
        data: { recoveryCodeHashes: JSON.stringify(recoveryCodes.map(hashRecoveryCode)) },
      });
      await recordEvent(tx, ctx, {
        action: 'user.recovery-codes-regenerate',
        targetType: 'user',
        targetId: user.id,
        tenantId: user.tenantId,
      });
    });
    return { recoveryCodes };
  }

  /**
   * completeLogin is the second sign-in step: a live challenge from POST /auth/login and a code (or a
   * recovery code) open the session. The challenge is used up by the first right answer; five wrong ones
   * end it too, and every wrong one counts in the LoginLimiter like a wrong password.
   */
  async completeLogin(
    input: SecondFactor & { challenge: string; ip: string | null },
  ): Promise<{ session: TSessionResponse; cookie: string }> {
    const { auth, db } = this.deps;
    const userId = auth.challenges.userOf(input.challenge);
    if (!userId) throw challengeInvalid();
    const attempt = secondFactorAttempt(userId, input.ip);
    auth.limiter.assertMayTry(attempt);
    const user = await db.user.findUnique({ where: { id: userId } });
    if (!user?.totpEnabledAt) {
      auth.challenges.take(input.challenge);
      throw challengeInvalid();
    }
    // From the match to take() nothing awaits: of two requests racing with one challenge, one wins.
    const matched =
      input.code !== undefined
        ? this.matchCode(user, input.code)
        : recoveryHashes(user).includes(hashRecoveryCode(input.recoveryCode ?? ''));
    if (matched && !auth.challenges.take(input.challenge)) throw challengeInvalid();
    const factor = matched
      ? input.code !== undefined
        ? 'totp'
        : await db.$transaction((tx) => this.consumeFactor(tx, user, input))
      : null;
    if (!factor) {
      auth.challenges.fail(input.challenge);
      auth.limiter.recordFailure(attempt);
      await db.event.create({
        data: {
          id: newId(),
          actor: 'anonymous',
          action: 'auth.login',
          targetType: 'user',
          targetId: user.id,
          tenantId: user.tenantId,
          result: 'error',
          ip: input.ip,
          message: 'invalid second factor',
        },
      });
      throw new AppError(
        'TOTP_CODE_INVALID',
        input.code !== undefined
          ? 'The code is wrong or was already used. Enter the code the app shows now.'
          : 'This recovery code is wrong or was already used.',
      );
    }
    auth.limiter.recordSuccess(attempt);
    if (factor === 'recovery-code') {
      await recordEvent(db, userContext(user, input.ip), {
        action: 'user.recovery-code-use',
        targetType: 'user',
        targetId: user.id,
        tenantId: user.tenantId,
        details: { for: 'sign-in', left: recoveryHashes(user).length - 1 },
      });
    }
    return auth.openLoggedSession(user, input.ip, { secondFactor: factor });
  }

  /**
   * consumeFactor checks and uses up a second factor inside `tx`: a TOTP code (its step remembered) or a
   * recovery code (removed with a compare-and-set on the stored list, so two requests cannot both use it).
   */
  private async consumeFactor(
    tx: Pick<Db, 'user'>,
    user: UserRow,
    input: SecondFactor,
  ): Promise<'totp' | 'recovery-code' | null> {
    if (input.code !== undefined) return this.matchCode(user, input.code) ? 'totp' : null;
    const hashes = recoveryHashes(user);
    const hash = hashRecoveryCode(input.recoveryCode ?? '');
    if (!hashes.includes(hash)) return null;
    const claimed = await tx.user.updateMany({
      where: { id: user.id, recoveryCodeHashes: user.recoveryCodeHashes },
      data: { recoveryCodeHashes: JSON.stringify(hashes.filter((h) => h !== hash)) },
    });
    return claimed.count === 1 ? 'recovery-code' : null;
  }

  /** matchCode checks a code against the user's stored secret and uses its step up (synchronous: no race). */
  private matchCode(user: UserRow, code: string): boolean {
    if (!user.totpSecretEnc) return false;
    const step = matchTotp(this.deps.dataKey.decrypt(user.totpSecretEnc), code, Date.now());
    return step !== null && this.acceptStep(user.id, step);
  }

  /** acceptStep refuses a step at or before the user's last accepted one (RFC 6238 §5.2), else remembers it. */
  private acceptStep(userId: string, step: number): boolean {
    const last = this.lastStep.get(userId);
    if (last !== undefined && step <= last) return false;
    this.lastStep.set(userId, step);
    if (this.lastStep.size > 10_000) {
      const stale = totpStep(Date.now()) - 2;
      for (const [id, seen] of this.lastStep) if (seen < stale) this.lastStep.delete(id);
    }
    return true;
  }

  private prunePending(): void {
    const now = Date.now();
    for (const [id, entry] of this.pending) if (entry.expiresAt <= now) this.pending.delete(id);
  }

  private async userOf(principal: Principal): Promise<UserRow> {
    const user = principal.userId ? await this.deps.db.user.findUnique({ where: { id: principal.userId } }) : null;
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
    return user;
  }
}

/** userContext names the user as the actor of events written before their session exists. */
function userContext(user: UserRow, ip: string | null): Pick<RequestContext, 'principal' | 'ip'> {
  return {
    principal: {
      via: 'session',
      userId: user.id,
      role: user.role as TRole,
      tenantId: user.tenantId,
      scope: 'full',
      tokenId: null,
      sessionId: null,
    },
    ip,
  };
}

function secondFactorAttempt(userId: string, ip: string | null): Attempt {
  return { kind: 'second-factor', userId, address: addressKey(ip) };
}

function recoveryHashes(user: Pick<UserRow, 'recoveryCodeHashes'>): string[] {
  const parsed = JSON.parse(user.recoveryCodeHashes) as unknown;
  return Array.isArray(parsed) ? parsed.filter((h): h is string => typeof h === 'string') : [];
}

/** requireSession keeps two-factor settings to browser sessions: an API token is not a person at a device. */
function requireSession(principal: Principal): void {
  if (principal.via !== 'session')
    throw new AppError(
      'FORBIDDEN',
      'Two-factor sign-in is managed from a signed-in browser session, not with an API token.',
    );
}

function challengeInvalid(): AppError {
  return new AppError(
    'TOTP_CHALLENGE_INVALID',
    'This sign-in attempt expired or was already used. Sign in with your password again.',
  );
}

function fieldError(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { details: { issues: [{ path: [field], message }] } });
}

function factorError(input: SecondFactor): AppError {
  return input.code !== undefined
    ? fieldError('code', 'The code is wrong or was already used. Enter the code the app shows now.')
    : fieldError('recoveryCode', 'This recovery code is wrong or was already used.');
}

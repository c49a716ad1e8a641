import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import type { TSsoLink } from '@berth/contracts';
import { randomSecret, sha256 } from '../auth/secrets.js';
import type { RequestContext } from '../auth/principal.js';
import { openSession } from '../auth/auth.service.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';

/**
 * isAccountOwner is the billing API's one rule about whom it may act for: the owner of the account's
 * tenant. Admins (and any user of another tenant) are never reset or signed in by a billing system.
 */
export function isAccountOwner(user: { role: string; tenantId: string | null }, tenantId: string): boolean {
  return user.role === 'tenant-owner' && user.tenantId === tenantId;
}

/** findAccountOwner is the user the billing API acts for on `tenantId` (isAccountOwner): its first owner, or null. */
export async function findAccountOwner(db: Pick<Db, 'user'>, tenantId: string): Promise<{ id: string } | null> {
  return db.user.findFirst({
    where: { tenantId, role: 'tenant-owner' },
    orderBy: { createdAt: 'asc' },
    select: { id: true },
  });
}

/** SSO_LINK_TTL_MS: a sign-on link works for five minutes, once. */
export const SSO_LINK_TTL_MS = 5 * 60_000;

/**
 * SsoService makes and redeems one-time console sign-in links for account owners (WHMCS's "Login to
 * control panel" button). The link carries a random secret; only its SHA-256 is stored. Redeeming marks
 * it used in the same statement that checks it, so a link can never make two sessions.
 */
export class SsoService {
  constructor(private readonly deps: { db: Db }) {}

  /** createLink makes a link for the owner of `tenantId`; the caller has already authorized it. */
  async createLink(ctx: RequestContext, tenantId: string, baseUrl: string): Promise<TSsoLink> {
    const { db } = this.deps;
    const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { status: true } });
    if (!tenant) throw notFound('Account');
    if (tenant.status === 'suspended')
      throw new AppError('TENANT_SUSPENDED', 'This account is suspended; unsuspend it before signing its owner in.');
    const owner = await findAccountOwner(db, tenantId);
    if (!owner) throw notFound('Account owner');
    const secret = randomSecret();
    const expiresAt = new Date(Date.now() + SSO_LINK_TTL_MS);
    const id = newId();
    await db.$transaction(async (tx) => {
      await tx.ssoLink.create({ data: { id, tokenHash: sha256(secret), userId: owner.id, tenantId, expiresAt } });
      await recordEvent(tx, ctx, {
        action: 'account.sso-link',
        targetType: 'user',
        targetId: owner.id,
        tenantId,
        details: { linkId: id, expiresAt: expiresAt.toISOString() },
      });
    });
    return { url: `${baseUrl}/api/v1/sso/${secret}`, expiresAt: expiresAt.toISOString() };
  }

  /**
   * redeem turns a link into a console session exactly like a password login does (a Session row holding
   * the cookie's SHA-256, 12 hours) and returns the cookie value. Unknown, used or expired: SSO_LINK_INVALID.
   */
  async redeem(token: string, ip: string | null): Promise<{ cookie: string }> {
    const { db } = this.deps;
    const tokenHash = sha256(token);
    const now = new Date();
    let cookie = '';
    const redeemed = await db.$transaction(async (tx) => {
      const claimed = await tx.ssoLink.updateMany({
        where: { tokenHash, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (claimed.count !== 1) return null;
      const link = await tx.ssoLink.findUniqueOrThrow({
        where: { tokenHash },
        include: { user: { include: { tenant: { select: { status: true } } } } },
      });
      // Links sign in the tenant's owner only: never a user who has since become an admin or moved tenant.
      if (!isAccountOwner(link.user, link.tenantId) || link.user.tenant?.status === 'suspended') return null;
      const session = await openSession(tx, link.user, ip);
      cookie = session.secret;
      await recordEvent(
        tx,
        { principal: session.principal, ip },
        {
          action: 'auth.sso-login',
          targetType: 'user',
          targetId: link.userId,
          tenantId: link.tenantId,
          details: { linkId: link.id },
        },
      );
      return link;
    });
    if (!redeemed) {
      await recordEvent(db, null, {
        action: 'auth.sso-login',
        targetType: 'user',
        result: 'error',
        message: 'unknown, used or expired link',
      });
      throw new AppError(
        'SSO_LINK_INVALID',
        'This sign-in link was already used or has expired. Go back to your billing account and open the control panel again.',
      );
    }
    return { cookie };
  }
}

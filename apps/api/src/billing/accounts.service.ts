import type { Db, SiteModel } from '@berth/db';
import type { TAccount, TAccountUsage, TSsoLink, ZAccountListQuery, ZCreateAccountRequest } from '@berth/contracts';
import type { z } from 'zod';
import type { AuthService } from '../auth/auth.service.js';
import { hashPassword } from '../auth/passwords.js';
import { canSeeTenant, requireAdmin, requireWrite, type RequestContext } from '../auth/principal.js';
import { notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { toSite } from '../records/site.record.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import type { TenantUsageMeter } from '../tenants/tenant-usage.js';
import { provisionAccount } from './account-provisioning.js';
import type { DomainVerifier } from '../domains/domain-verification.js';
import { findAccountOwner, type SsoService } from './sso.service.js';

const ACCOUNT_INCLUDE = {
  plan: { select: { name: true } },
  users: { where: { role: 'tenant-owner' }, take: 1, orderBy: { createdAt: 'asc' }, select: { email: true } },
  sites: {
    orderBy: { createdAt: 'asc' },
    include: { domains: { orderBy: { createdAt: 'asc' }, select: { hostname: true, kind: true } } },
  },
} as const;

type AccountRow = Awaited<ReturnType<Db['tenant']['findFirstOrThrow']>> & {
  plan: { name: string };
  users: { email: string }[];
  sites: (SiteModel & { domains: { hostname: string; kind: string }[] })[];
};

export function toAccount(row: AccountRow): TAccount {
  const domains = row.sites.flatMap((s) => s.domains);
  return {
    id: row.id,
    username: row.slug,
    name: row.name,
    email: row.users[0]?.email ?? null,
    planId: row.planId,
    planName: row.plan.name,
    status: row.status === 'suspended' ? 'suspended' : 'active',
    primaryDomain: (domains.find((d) => d.kind === 'primary') ?? domains[0])?.hostname ?? null,
    sites: row.sites
      .map((site) => toSite(site))
      .map(({ id, name, status, domains }) => ({ id, name, status, domains })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface AccountsDeps {
  db: Db;
  auth: AuthService;
  tenants: TenantsService;
  sso: SsoService;
  notifyTenantChanged: (tenantId: string) => void;
  portRange: { first: number; last: number };
  /** Measures disk, bandwidth and counts against the plan (shared with the tenants' own usage route). */
  usage: TenantUsageMeter;
  /** The hostname ownership policy new domains start under (domains/domain-verification.ts). */
  verifier: Pick<DomainVerifier, 'required' | 'reserved'>;
}

/**
 * AccountsService is the billing systems' view of the tenant lifecycle (WHMCS's CreateAccount, Suspend,
 * Unsuspend, Terminate, ChangePackage, ChangePassword, UsageUpdate, ServiceSingleSignOn, ListAccounts).
 * Admin sessions, full admin tokens and billing tokens may use it; read-only tokens may only read; tenant
 * users get NOT_FOUND for other accounts and FORBIDDEN for their own. Suspension, termination and plan
 * changes go through TenantsService, so the console and the billing API share one lifecycle.
 */
export class AccountsService {
  constructor(private readonly deps: AccountsDeps) {}

  async list(
    ctx: RequestContext,
    query: z.output<typeof ZAccountListQuery>,
  ): Promise<{ items: TAccount[]; total: number }> {
    requireAdmin(ctx.principal);
    const q = query.q?.trim().toLowerCase();
    const where = {
      status: query.status,
      ...(q
        ? {
            OR: [
              { slug: { contains: q } },
              { name: { contains: q } },
              { users: { some: { email: { contains: q } } } },
              { sites: { some: { domains: { some: { hostname: { contains: q } } } } } },
            ],
          }
        : {}),
    };
    const [rows, total] = await Promise.all([
      this.deps.db.tenant.findMany({
        where,
        include: ACCOUNT_INCLUDE,
        orderBy: { createdAt: 'asc' },
        take: query.limit,
        skip: query.offset,
      }),
      this.deps.db.tenant.count({ where }),
    ]);
    return { items: rows.map((row) => toAccount(row)), total };
  }

  async get(ctx: RequestContext, id: string): Promise<TAccount> {
    this.authorize(ctx, id, { write: false });
    return this.load(id);
  }

  async create(ctx: RequestContext, input: z.output<typeof ZCreateAccountRequest>): Promise<TAccount> {
    requireWrite(ctx.principal, { billing: true });
    requireAdmin(ctx.principal);
    const id = await provisionAccount(this.deps.db, ctx, {
      input,
      portRange: this.deps.portRange,
      verifier: this.deps.verifier,
    });
    this.deps.notifyTenantChanged(id);
    return this.load(id);
  }

  async setSuspended(ctx: RequestContext, id: string, suspended: boolean): Promise<TAccount> {
    this.authorize(ctx, id, { write: true });
    await this.deps.tenants.setSuspended(ctx, id, suspended);
    return this.load(id);
  }

  async terminate(ctx: RequestContext, id: string): Promise<void> {
    this.authorize(ctx, id, { write: true });
    await this.deps.tenants.terminate(ctx, id);
  }

  /** changePlan moves the account to another plan; the reconciler re-applies the new limits to its containers. */
  async changePlan(ctx: RequestContext, id: string, planId: string): Promise<TAccount> {
    this.authorize(ctx, id, { write: true });
    const current = await this.deps.db.tenant.findUnique({ where: { id }, select: { planId: true } });
    if (!current) throw notFound('Account');
    // The same plan again is a no-op: no event, no webhook, no reconcile.
    if (current.planId !== planId) await this.deps.tenants.update(ctx, id, { planId });
    return this.load(id);
  }

  /** changePassword sets the owner's password (no current password needed) and ends the owner's sessions. */
  async changePassword(ctx: RequestContext, id: string, password: string): Promise<void> {
    this.authorize(ctx, id, { write: true });
    const { db } = this.deps;
    // Only the account's owner, never an admin (findAccountOwner); the reset is an event by the caller.
    const owner = await findAccountOwner(db, id);
    if (!owner) throw notFound('Account');
    const passwordHash = await hashPassword(password);
    await db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: owner.id }, data: { passwordHash, failedLogins: 0, lockedUntil: null } });
      await tx.session.deleteMany({ where: { userId: owner.id } });
      await recordEvent(tx, ctx, {
        action: 'user.password-reset',
        targetType: 'user',
        targetId: owner.id,
        tenantId: id,
        details: { via: 'billing' },
      });
    });
    this.deps.auth.forgetAll();
  }

  /** usage measures the account's disk (site files, du-style, and its databases as their servers report them) and this month's bandwidth against its plan. */
  async usage(ctx: RequestContext, id: string, now = new Date()): Promise<TAccountUsage> {
    this.authorize(ctx, id, { write: false });
    const usage = await this.deps.usage.measure(id, now);
    if (!usage) throw notFound('Account');
    const { accountId, username, disk, bandwidth, measuredAt } = usage;
    return { accountId, username, disk, bandwidth, measuredAt };
  }

  /** ssoLink makes a one-time sign-in link to the console for the account owner. */
  async ssoLink(ctx: RequestContext, id: string, baseUrl: string): Promise<TSsoLink> {
    this.authorize(ctx, id, { write: true });
    return this.deps.sso.createLink(ctx, id, baseUrl);
  }

  /**
   * authorize applies the lifecycle's rules in the order the other services do: read-only tokens cannot
   * write (403), another tenant's account is NOT_FOUND, and only admins (sessions, full or billing tokens) act.
   */
  private authorize(ctx: RequestContext, id: string, { write }: { write: boolean }): void {
    if (write) requireWrite(ctx.principal, { billing: true });
    if (!canSeeTenant(ctx.principal, id)) throw notFound('Account');
    requireAdmin(ctx.principal);
  }

  private async load(id: string): Promise<TAccount> {
    const row = await this.deps.db.tenant.findUnique({ where: { id }, include: ACCOUNT_INCLUDE });
    if (!row) throw notFound('Account');
    return toAccount(row);
  }
}

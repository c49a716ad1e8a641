import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import type {
  TSessionResponse,
  TTenant,
  TTenantUsage,
  ZCreateTenantRequest,
  ZTenantListQuery,
  ZUpdateTenantRequest,
} from '@berth/contracts';
import type { z } from 'zod';
import type { AuthService } from '../auth/auth.service.js';
import { hashPassword } from '../auth/passwords.js';
import { canSeeTenant, requireAdmin, requireWrite, tenantScope, type RequestContext } from '../auth/principal.js';
import type { DesiredStateNotifier } from '../desired-state.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { insertTenant, resolvePlan, retryOnUniqueRace } from './tenant-records.js';
import type { TenantUsageMeter } from './tenant-usage.js';

export { FIRST_TENANT_UID } from './tenant-records.js';

const TENANT_INCLUDE = {
  ports: true,
  users: { where: { role: 'tenant-owner' }, take: 1, orderBy: { createdAt: 'asc' } },
  _count: { select: { sites: true } },
} as const;

type TenantRow = Awaited<ReturnType<Db['tenant']['findFirstOrThrow']>> & {
  ports: { port: number; purpose: string }[];
  users: { email: string }[];
  _count: { sites: number };
};

export function toTenant(row: TenantRow): TTenant {
  const port = (purpose: string) => row.ports.find((p) => p.purpose === purpose)?.port ?? null;
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    planId: row.planId,
    status: row.status === 'suspended' ? 'suspended' : 'active',
    suspendedReason: row.status === 'suspended' ? row.suspendedReason : null,
    webserver: row.webserver === 'apache' ? 'apache' : 'nginx',
    varnishEnabled: row.varnishEnabled,
    ports: { web: port('web'), cache: port('cache') },
    ownerEmail: row.users[0]?.email ?? null,
    siteCount: row._count.sites,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface TenantsDeps {
  db: Db;
  auth: AuthService;
  notifier: DesiredStateNotifier;
  portRange: { first: number; last: number };
  usage: TenantUsageMeter;
}

/**
 * TenantsService runs the hosting-account lifecycle: create (owner user, uid, ports), change, suspend,
 * unsuspend, terminate. Admins and billing tokens run it; tenant users see and tune only their own tenant.
 */
export class TenantsService {
  constructor(private readonly deps: TenantsDeps) {}

  async list(
    ctx: RequestContext,
    query: z.output<typeof ZTenantListQuery>,
  ): Promise<{ items: TTenant[]; total: number }> {
    const scoped = tenantScope(ctx.principal);
    const where = {
      id: scoped,
      status: query.status,
      ...(query.q ? { OR: [{ slug: { contains: query.q } }, { name: { contains: query.q } }] } : {}),
    };
    const [rows, total] = await Promise.all([
      this.deps.db.tenant.findMany({
        where,
        include: TENANT_INCLUDE,
        orderBy: { createdAt: 'asc' },
        take: query.limit,
        skip: query.offset,
      }),
      this.deps.db.tenant.count({ where }),
    ]);
    return { items: rows.map(toTenant), total };
  }

  async get(ctx: RequestContext, id: string): Promise<TTenant> {
    if (!canSeeTenant(ctx.principal, id)) throw notFound('Tenant');
    const row = await this.deps.db.tenant.findUnique({ where: { id }, include: TENANT_INCLUDE });
    if (!row) throw notFound('Tenant');
    return toTenant(row);
  }

  /**
   * usage is the tenant's home view of its account: disk and this month's bandwidth as billing reads them, and
   * its sites, domains and databases against the plan. Its own users (and their tokens) may read it; another
   * tenant's id is NOT_FOUND.
   */
  async usage(ctx: RequestContext, id: string): Promise<TTenantUsage> {
    if (!canSeeTenant(ctx.principal, id)) throw notFound('Tenant');
    const usage = await this.deps.usage.measure(id);
    if (!usage) throw notFound('Tenant');
    return usage;
  }

  async create(ctx: RequestContext, input: z.output<typeof ZCreateTenantRequest>): Promise<TTenant> {
    requireWrite(ctx.principal, { billing: true });
    requireAdmin(ctx.principal);
    const { db } = this.deps;
    const plan = await resolvePlan(db, input.planId);
    const passwordHash = await hashPassword(input.owner.password);
    const id = await retryOnUniqueRace(
      async () => {
        const id = newId();
        await db.$transaction(async (tx) => {
          if (await tx.tenant.findUnique({ where: { slug: input.slug }, select: { id: true } })) {
            throw new AppError('SLUG_TAKEN', `The slug "${input.slug}" is already used by another tenant.`);
          }
          if (await tx.user.findUnique({ where: { email: input.owner.email }, select: { id: true } })) {
            throw new AppError('EMAIL_TAKEN', `The email ${input.owner.email} already belongs to a user.`);
          }
          await insertTenant(tx, ctx, {
            id,
            slug: input.slug,
            name: input.name,
            planId: plan.id,
            webserver: input.webserver ?? 'nginx',
            ownerEmail: input.owner.email,
            passwordHash,
            portRange: this.deps.portRange,
          });
        });
        return id;
      },
      (error) => {
        throw new AppError('SLUG_TAKEN', 'The slug or owner email is already used.', { cause: error });
      },
    );
    this.deps.notifier.tenantChanged(id);
    return this.get(ctx, id);
  }

  async update(ctx: RequestContext, id: string, input: z.output<typeof ZUpdateTenantRequest>): Promise<TTenant> {
    const adminOnly = input.planId !== undefined || input.name !== undefined;
    requireWrite(ctx.principal, { billing: input.planId !== undefined && Object.keys(input).length === 1 });
    // Another tenant's id is "not found" before anything else is said about it.
    if (!canSeeTenant(ctx.principal, id)) throw notFound('Tenant');
    if (adminOnly) requireAdmin(ctx.principal);
    await this.deps.db.$transaction(async (tx) => {
      const row = await tx.tenant.findUnique({ where: { id } });
      if (!row) throw notFound('Tenant');
      if (
        input.planId !== undefined &&
        !(await tx.plan.findUnique({ where: { id: input.planId }, select: { id: true } }))
      ) {
        throw new AppError('VALIDATION_FAILED', 'No plan has this planId.', {
          details: { issues: [{ in: 'body', path: ['planId'], message: 'Unknown plan.' }] },
        });
      }
      await tx.tenant.update({ where: { id }, data: input });
      await recordEvent(tx, ctx, {
        action: 'tenant.update',
        targetType: 'tenant',
        targetId: id,
        tenantId: id,
        details: { ...input },
      });
    });
    this.deps.notifier.tenantChanged(id);
    return this.get(ctx, id);
  }

  /**
   * setSuspended suspends or unsuspends the account. A suspension may say why (`reason`, plain text): it is
   * kept on the tenant, shown to its users in a banner and recorded in the event; unsuspending clears it.
   */
  async setSuspended(
    ctx: RequestContext,
    id: string,
    suspended: boolean,
    { reason }: { reason?: string } = {},
  ): Promise<TTenant> {
    requireWrite(ctx.principal, { billing: true });
    if (!canSeeTenant(ctx.principal, id)) throw notFound('Tenant');
    requireAdmin(ctx.principal);
    const suspendedReason = suspended && reason ? reason : null;
    await this.deps.db.$transaction(async (tx) => {
      const row = await tx.tenant.findUnique({ where: { id } });
      if (!row) throw notFound('Tenant');
      await tx.tenant.update({ where: { id }, data: { status: suspended ? 'suspended' : 'active', suspendedReason } });
      await recordEvent(tx, ctx, {
        action: suspended ? 'tenant.suspend' : 'tenant.unsuspend',
        targetType: 'tenant',
        targetId: id,
        tenantId: id,
        ...(suspendedReason ? { details: { reason: suspendedReason } } : {}),
      });
    });
    // A suspended tenant's users must lose access at once, not when their cached session expires.
    this.deps.auth.forgetAll();
    this.deps.notifier.tenantChanged(id);
    return this.get(ctx, id);
  }

  /**
   * impersonate is "Sign in as this tenant": an administrator's own console session (never a token, never
   * another impersonation) gets a short session as the tenant's owner, with exactly the owner's rights.
   */
  async impersonate(ctx: RequestContext, id: string): Promise<{ session: TSessionResponse; cookie: string }> {
    requireWrite(ctx.principal);
    if (!canSeeTenant(ctx.principal, id)) throw notFound('Tenant');
    requireAdmin(ctx.principal);
    if (ctx.principal.via !== 'session' || ctx.principal.impersonatorId)
      throw new AppError('FORBIDDEN', 'Only an administrator signed in to the console can sign in as a tenant.');
    return this.deps.auth.startImpersonation(ctx, id);
  }

  async terminate(ctx: RequestContext, id: string): Promise<void> {
    requireWrite(ctx.principal, { billing: true });
    if (!canSeeTenant(ctx.principal, id)) throw notFound('Tenant');
    requireAdmin(ctx.principal);
    await this.deps.db.$transaction(async (tx) => {
      const row = await tx.tenant.findUnique({ where: { id } });
      if (!row) throw notFound('Tenant');
      await tx.tenant.delete({ where: { id } });
      await recordEvent(tx, ctx, {
        action: 'tenant.terminate',
        targetType: 'tenant',
        targetId: id,
        tenantId: id,
        details: { slug: row.slug },
      });
    });
    this.deps.auth.forgetAll();
    this.deps.notifier.tenantChanged(id);
  }
}

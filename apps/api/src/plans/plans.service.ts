import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import type { TPlan, ZCreatePlanRequest, ZUpdatePlanRequest } from '@berth/contracts';
import type { z } from 'zod';
import { requireAdmin, requireWrite, type RequestContext } from '../auth/principal.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { isUniqueViolation } from '../http/prisma-errors.js';
import type { DesiredStateNotifier } from '../desired-state.js';
import { planColumns, planUpdateColumns, toPlan } from '../records/plan.record.js';

// bootstrap.ts writes the default plan through the same column mapping.
export { planColumns };

/** DEFAULT_PLAN is created on first start so a tenant can be made without setting up plans first. */
export const DEFAULT_PLAN: z.output<typeof ZCreatePlanRequest> = {
  name: 'Default',
  maxSites: 10,
  maxDomains: 50,
  cpuMillicores: 1000,
  memoryMb: 1024,
  diskMb: 10_240,
  bandwidthGb: 100,
  pidsLimit: 256,
  phpVersions: ['7.4', '8.2', '8.4'],
  phpMaxMemoryMb: 512,
  phpMaxUploadMb: 128,
  phpMaxExecSeconds: 300,
};

/**
 * PlansService: admins manage plans; tenant users see only their own plan; billing tokens read all. A change
 * of a plan's egress allow-list asks the reconciler to converge every tenant on the plan (their firewall rules).
 */
export class PlansService {
  constructor(
    private readonly db: Db,
    private readonly notifier?: DesiredStateNotifier,
  ) {}

  async list(ctx: RequestContext): Promise<{ items: TPlan[]; total: number }> {
    const where = ctx.principal.role === 'admin' ? {} : { tenants: { some: { id: ctx.principal.tenantId ?? '' } } };
    const rows = await this.db.plan.findMany({
      where,
      orderBy: { name: 'asc' },
      include: { _count: { select: { tenants: true } } },
    });
    return { items: rows.map((row) => this.forViewer(ctx, toPlan(row))), total: rows.length };
  }

  async get(ctx: RequestContext, id: string): Promise<TPlan> {
    const row = await this.db.plan.findUnique({ where: { id }, include: { _count: { select: { tenants: true } } } });
    if (!row) throw notFound('Plan');
    if (ctx.principal.role !== 'admin') {
      const own = await this.db.tenant.findFirst({
        where: { id: ctx.principal.tenantId ?? '', planId: id },
        select: { id: true },
      });
      if (!own) throw notFound('Plan');
    }
    return this.forViewer(ctx, toPlan(row));
  }

  async create(ctx: RequestContext, data: z.output<typeof ZCreatePlanRequest>): Promise<TPlan> {
    requireWrite(ctx.principal);
    requireAdmin(ctx.principal);
    const id = newId();
    try {
      const row = await this.db.$transaction(async (tx) => {
        const created = await tx.plan.create({ data: { ...planColumns(data), id } });
        await recordEvent(tx, ctx, {
          action: 'plan.create',
          targetType: 'plan',
          targetId: id,
          details: { name: data.name },
        });
        return created;
      });
      return toPlan(row);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('PLAN_NAME_TAKEN', `A plan named "${data.name}" already exists.`);
      throw error;
    }
  }

  async update(ctx: RequestContext, id: string, data: z.output<typeof ZUpdatePlanRequest>): Promise<TPlan> {
    requireWrite(ctx.principal);
    await this.get(ctx, id);
    requireAdmin(ctx.principal);
    try {
      const { row, affected } = await this.db.$transaction(async (tx) => {
        const existing = await tx.plan.findUnique({ where: { id } });
        if (!existing) throw notFound('Plan');
        const updated = await tx.plan.update({
          where: { id },
          data: planUpdateColumns(data),
          include: { _count: { select: { tenants: true } } },
        });
        await recordEvent(tx, ctx, {
          action: 'plan.update',
          targetType: 'plan',
          targetId: id,
          details: { fields: Object.keys(data) },
        });
        const affected =
          data.egressAllow === undefined
            ? []
            : await tx.tenant.findMany({ where: { planId: id }, select: { id: true } });
        return { row: updated, affected };
      });
      for (const tenant of affected) this.notifier?.tenantChanged(tenant.id);
      return toPlan(row);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('PLAN_NAME_TAKEN', `A plan named "${data.name}" already exists.`);
      throw error;
    }
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    requireWrite(ctx.principal);
    await this.get(ctx, id);
    requireAdmin(ctx.principal);
    await this.db.$transaction(async (tx) => {
      const row = await tx.plan.findUnique({ where: { id }, include: { _count: { select: { tenants: true } } } });
      if (!row) throw notFound('Plan');
      if (row._count.tenants > 0)
        throw new AppError(
          'PLAN_IN_USE',
          `The plan still has ${row._count.tenants} tenant(s); move them to another plan first.`,
        );
      await tx.plan.delete({ where: { id } });
      await recordEvent(tx, ctx, {
        action: 'plan.delete',
        targetType: 'plan',
        targetId: id,
        details: { name: row.name },
      });
    });
  }

  /** forViewer hides how many tenants share a plan from tenant users. */
  private forViewer(ctx: RequestContext, plan: TPlan): TPlan {
    return ctx.principal.role === 'admin' ? plan : { ...plan, tenantCount: 0 };
  }
}

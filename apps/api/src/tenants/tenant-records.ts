import { FIRST_TENANT_UID } from '@berth/contracts';
import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import type { RequestContext } from '../auth/principal.js';
import { AppError } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { isUniqueViolation } from '../http/prisma-errors.js';
import { PORT_PURPOSES, pickFreePorts } from './ports.js';

export { FIRST_TENANT_UID };

export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];
type PlanRow = NonNullable<Awaited<ReturnType<Db['plan']['findUnique']>>>;

/** resolvePlan finds the requested plan, or the first one when none is named; a clear 400 otherwise. */
export async function resolvePlan(db: Db, planId: string | undefined): Promise<PlanRow> {
  const plan = planId
    ? await db.plan.findUnique({ where: { id: planId } })
    : await db.plan.findFirst({ orderBy: { createdAt: 'asc' } });
  if (!plan) {
    throw new AppError(
      'VALIDATION_FAILED',
      planId ? 'No plan has this planId.' : 'No plan exists yet; create a plan first.',
      {
        details: { issues: [{ in: 'body', path: ['planId'], message: 'Unknown plan.' }] },
      },
    );
  }
  return plan;
}

/**
 * insertTenant writes a tenant inside the caller's transaction: the next free uid, its web and cache
 * ports, its owner user and the `tenant.create` event. The console path (POST /tenants) and the billing
 * path (POST /accounts) both use it, so an account looks the same whichever way it was made.
 */
export async function insertTenant(
  tx: Tx,
  ctx: Pick<RequestContext, 'principal' | 'ip'>,
  input: {
    id: string;
    slug: string;
    name: string;
    planId: string;
    webserver: 'nginx' | 'apache';
    ownerEmail: string;
    passwordHash: string;
    portRange: { first: number; last: number };
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const maxUid = await tx.tenant.aggregate({ _max: { uid: true } });
  const uid = Math.max(FIRST_TENANT_UID, (maxUid._max.uid ?? FIRST_TENANT_UID - 1) + 1);
  const taken = await tx.portAllocation.findMany({ select: { port: true } });
  const ports = pickFreePorts(
    input.portRange,
    taken.map((p) => p.port),
    PORT_PURPOSES.length,
  );
  await tx.tenant.create({
    data: { id: input.id, slug: input.slug, name: input.name, planId: input.planId, uid, webserver: input.webserver },
  });
  await tx.portAllocation.createMany({
    data: PORT_PURPOSES.map((purpose, i) => ({ port: ports[i]!, tenantId: input.id, purpose })),
  });
  const ownerId = newId();
  await tx.user.create({
    data: {
      id: ownerId,
      email: input.ownerEmail,
      passwordHash: input.passwordHash,
      role: 'tenant-owner',
      tenantId: input.id,
    },
  });
  await recordEvent(tx, ctx, {
    action: 'tenant.create',
    targetType: 'tenant',
    targetId: input.id,
    tenantId: input.id,
    details: { slug: input.slug, planId: input.planId, ownerId, ...input.details },
  });
}

/**
 * retryOnUniqueRace runs a creation that picks "the next free" uid and ports; when two creations race for
 * the same numbers the loser's insert fails on a unique constraint and it simply runs again.
 */
export async function retryOnUniqueRace<T>(run: () => Promise<T>, onGiveUp: (error: unknown) => never): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (isUniqueViolation(error) && attempt < 5) continue;
      if (isUniqueViolation(error)) onGiveUp(error);
      throw error;
    }
  }
}

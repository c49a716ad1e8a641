import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import { defaultTlsMode, type ZCreateAccountRequest } from '@berth/contracts';
import type { z } from 'zod';
import { hashPassword } from '../auth/passwords.js';
import type { RequestContext } from '../auth/principal.js';
import { AppError } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { isUniqueViolation } from '../http/prisma-errors.js';
import { checkPlanAllows } from '../sites/plan-limits.js';
import { PORT_PURPOSES, pickFreePorts } from '../tenants/ports.js';
import { FIRST_TENANT_UID } from '../tenants/tenants.service.js';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];
type CreateAccountInput = z.output<typeof ZCreateAccountRequest>;

/**
 * provisionAccount creates a whole hosting account in ONE transaction: the tenant (uid, ports), its owner
 * user, and optionally its first site and that site's first domain. It applies the same rules and writes
 * the same events as POST /tenants, /sites and /sites/{id}/domains (tenant.create, site.create,
 * domain.create), so the console, the audit trail and the webhooks cannot tell the difference; but a
 * failure at any step (slug, email or hostname taken, a runtime the plan does not allow) leaves nothing.
 * Authorization is the caller's job. Returns the new tenant's id.
 */
export async function provisionAccount(db: Db, ctx: RequestContext, opts: { input: CreateAccountInput; portRange: { first: number; last: number } }): Promise<string> {
  const { input, portRange } = opts;
  const plan = input.planId
    ? await db.plan.findUnique({ where: { id: input.planId } })
    : await db.plan.findFirst({ orderBy: { createdAt: 'asc' } });
  if (!plan) {
    throw new AppError('VALIDATION_FAILED', input.planId ? 'No plan has this planId.' : 'No plan exists yet; create a plan first.', {
      details: { issues: [{ in: 'body', path: ['planId'], message: 'Unknown plan.' }] },
    });
  }
  if (input.site) {
    checkPlanAllows({ phpVersions: JSON.parse(plan.phpVersions) as string[], phpMaxMemoryMb: plan.phpMaxMemoryMb, phpMaxUploadMb: plan.phpMaxUploadMb, phpMaxExecSeconds: plan.phpMaxExecSeconds }, input.site.runtime, {});
  }
  const passwordHash = await hashPassword(input.password);
  for (let attempt = 0; ; attempt++) {
    const id = newId();
    try {
      await db.$transaction(async (tx) => {
        await assertFree(tx, input);
        const maxUid = await tx.tenant.aggregate({ _max: { uid: true } });
        const uid = Math.max(FIRST_TENANT_UID, (maxUid._max.uid ?? FIRST_TENANT_UID - 1) + 1);
        const taken = await tx.portAllocation.findMany({ select: { port: true } });
        const ports = pickFreePorts(portRange, taken.map((p) => p.port), PORT_PURPOSES.length);
        await tx.tenant.create({ data: { id, slug: input.username, name: input.name ?? input.username, planId: plan.id, uid, webserver: input.webserver ?? 'nginx' } });
        await tx.portAllocation.createMany({ data: PORT_PURPOSES.map((purpose, i) => ({ port: ports[i]!, tenantId: id, purpose })) });
        const ownerId = newId();
        await tx.user.create({ data: { id: ownerId, email: input.email, passwordHash, role: 'tenant-owner', tenantId: id } });
        await recordEvent(tx, ctx, { action: 'tenant.create', targetType: 'tenant', targetId: id, tenantId: id, details: { slug: input.username, planId: plan.id, ownerId, via: 'billing' } });
        if (input.site) await createFirstSite(tx, ctx, { tenantId: id, site: input.site });
      });
      return id;
    } catch (error) {
      // Two creations racing for the same uid or port: the loser retries with fresh numbers, and a race on
      // the slug, email or hostname is reported by assertFree on the next pass.
      if (isUniqueViolation(error) && attempt < 5) continue;
      if (isUniqueViolation(error)) throw new AppError('SLUG_TAKEN', 'The username, email or domain is already used.', { cause: error });
      throw error;
    }
  }
}

/** assertFree names the first unique field of the request that another account already uses. */
async function assertFree(tx: Tx, input: CreateAccountInput): Promise<void> {
  if (await tx.tenant.findUnique({ where: { slug: input.username }, select: { id: true } })) {
    throw new AppError('SLUG_TAKEN', `The username "${input.username}" is already used by another account.`, {
      details: { issues: [{ in: 'body', path: ['username'], message: 'Already in use.' }] },
    });
  }
  if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
    throw new AppError('EMAIL_TAKEN', `The email ${input.email} already belongs to a user.`, {
      details: { issues: [{ in: 'body', path: ['email'], message: 'Already in use.' }] },
    });
  }
  const hostname = input.site?.domain;
  if (hostname && (await tx.domain.findUnique({ where: { hostname }, select: { id: true } }))) {
    throw new AppError('HOSTNAME_TAKEN', `${hostname} is already added on this panel. Each hostname can belong to one site only.`, {
      details: { issues: [{ in: 'body', path: ['site', 'domain'], message: 'Already in use.' }] },
    });
  }
}

async function createFirstSite(tx: Tx, ctx: RequestContext, { tenantId, site }: { tenantId: string; site: NonNullable<CreateAccountInput['site']> }): Promise<void> {
  const siteId = newId();
  await tx.site.create({ data: { id: siteId, tenantId, name: site.name, runtimeKind: site.runtime.kind, runtimeVersion: site.runtime.version, settings: '{}' } });
  await recordEvent(tx, ctx, { action: 'site.create', targetType: 'site', targetId: siteId, tenantId, details: { name: site.name, runtime: site.runtime } });
  if (!site.domain) return;
  const domainId = newId();
  await tx.domain.create({ data: { id: domainId, hostname: site.domain, siteId, tenantId, kind: 'primary', tlsMode: defaultTlsMode(site.domain), wwwRedirect: 'none' } });
  await recordEvent(tx, ctx, { action: 'domain.create', targetType: 'domain', targetId: domainId, tenantId, details: { hostname: site.domain, siteId } });
}

import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import type { ZCreateAccountRequest } from '@berth/contracts';
import type { z } from 'zod';
import { hashPassword } from '../auth/passwords.js';
import type { RequestContext } from '../auth/principal.js';
import { assertHostsFree } from '../domains/domains.service.js';
import type { DomainVerifier } from '../domains/domain-verification.js';
import { AppError } from '../errors.js';
import { toPlan } from '../records/plan.record.js';
import { checkPlanAllows } from '../sites/plan-limits.js';
import { insertDomain, insertSite } from '../sites/site-records.js';
import { insertTenant, resolvePlan, retryOnUniqueRace, type Tx } from '../tenants/tenant-records.js';

type CreateAccountInput = z.output<typeof ZCreateAccountRequest>;

/**
 * provisionAccount creates a whole hosting account in ONE transaction: the tenant (uid, ports), its owner
 * user, and optionally its first site and that site's first domain. It applies the same rules and writes
 * the same events as POST /tenants, /sites and /sites/{id}/domains (tenant.create, site.create,
 * domain.create), so the console, the audit trail and the webhooks cannot tell the difference; but a
 * failure at any step (slug, email or hostname taken, a runtime the plan does not allow) leaves nothing.
 * Authorization is the caller's job. Returns the new tenant's id.
 */
export async function provisionAccount(
  db: Db,
  ctx: RequestContext,
  opts: {
    input: CreateAccountInput;
    portRange: { first: number; last: number };
    verifier: Pick<DomainVerifier, 'required' | 'reserved'>;
  },
): Promise<string> {
  const { input, portRange, verifier } = opts;
  const plan = await resolvePlan(db, input.planId);
  if (input.site) checkPlanAllows(toPlan(plan), input.site.runtime, {});
  const passwordHash = await hashPassword(input.password);
  // A race on the slug, email or hostname is reported by assertFree on the retry.
  return retryOnUniqueRace(
    async () => {
      const id = newId();
      await db.$transaction(async (tx) => {
        await assertFree(tx, input, verifier.reserved);
        await insertTenant(tx, ctx, {
          id,
          slug: input.username,
          name: input.name ?? input.username,
          planId: plan.id,
          webserver: input.webserver ?? 'nginx',
          ownerEmail: input.email,
          passwordHash,
          portRange,
          details: { via: 'billing' },
        });
        if (input.site) await createFirstSite(tx, ctx, { tenantId: id, site: input.site, verifier });
      });
      return id;
    },
    (error) => {
      throw new AppError('SLUG_TAKEN', 'The username, email or domain is already used.', { cause: error });
    },
  );
}

/** assertFree names the first unique field of the request that another account already uses. */
async function assertFree(tx: Tx, input: CreateAccountInput, reserved: readonly string[]): Promise<void> {
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
  if (hostname) {
    // The same rule as POST /sites/{id}/domains: the name may not be another domain's, nor its www twin.
    await assertHostsFree(tx, { hostname, wwwRedirect: 'none' }, { reserved }).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'HOSTNAME_TAKEN' && !reserved.includes(hostname)) {
        throw new AppError(
          'HOSTNAME_TAKEN',
          `${hostname} is already added on this panel. Each hostname can belong to one site only.`,
          {
            details: { issues: [{ in: 'body', path: ['site', 'domain'], message: 'Already in use.' }] },
          },
        );
      }
      throw error;
    });
  }
}

/** createFirstSite writes the account's first site and its domain as POST /sites and /sites/{id}/domains do (site-records.ts). */
async function createFirstSite(
  tx: Tx,
  ctx: RequestContext,
  {
    tenantId,
    site,
    verifier,
  }: { tenantId: string; site: NonNullable<CreateAccountInput['site']>; verifier: Pick<DomainVerifier, 'required'> },
): Promise<void> {
  const siteId = newId();
  await insertSite(tx, ctx, { id: siteId, tenantId, name: site.name, runtime: site.runtime, settings: {} });
  if (site.domain) await insertDomain(tx, ctx, { id: newId(), tenantId, siteId, hostname: site.domain }, verifier);
}

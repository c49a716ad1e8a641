import type { Db, SiteModel } from '@berth/db';
import { newId } from '@berth/db';
import type {
  TSite,
  TSiteSettings,
  ZCreateSiteRequest,
  ZPurgeCacheRequest,
  ZSiteListQuery,
  ZUpdateSiteRequest,
} from '@berth/contracts';
import type { z } from 'zod';
import { canSeeTenant, requireNotBilling, requireWrite, tenantScope, type RequestContext } from '../auth/principal.js';
import type { DesiredStateNotifier } from '../desired-state.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { isUniqueViolation } from '../http/prisma-errors.js';
import { CachePortError, type CachePort, type PortSlot } from '../ports.js';
import { toPlan } from '../records/plan.record.js';
import { siteColumns, toSite, type EdgePorts } from '../records/site.record.js';
import { checkPlanAllows } from './plan-limits.js';
import { insertSite } from './site-records.js';

const SITE_INCLUDE = {
  domains: { select: { hostname: true, kind: true, tlsMode: true }, orderBy: { createdAt: 'asc' } },
} as const;

type SiteRow = SiteModel & { domains: { hostname: string; kind: string; tlsMode: string }[] };

/**
 * SitesService stores what a tenant wants to run. It validates against the tenant's plan, writes the
 * desired state with status `pending`, records the event and asks for convergence; it never touches Docker.
 */
export class SitesService {
  constructor(
    private readonly deps: {
      db: Db;
      notifier: DesiredStateNotifier;
      cache: PortSlot<CachePort>;
      /** The edge's ports, in the visitors' address of each site (`url`). */
      edgePorts: EdgePorts;
    },
  ) {}

  async list(ctx: RequestContext, query: z.output<typeof ZSiteListQuery>): Promise<{ items: TSite[]; total: number }> {
    requireNotBilling(ctx.principal);
    const scoped = tenantScope(ctx.principal);
    if (scoped !== undefined && query.tenantId !== undefined && query.tenantId !== scoped)
      return { items: [], total: 0 };
    const where = { tenantId: scoped ?? query.tenantId, status: query.status };
    // Two flat queries instead of an `include`: Prisma's relation loading costs several times more here.
    const [rows, total] = await Promise.all([
      this.deps.db.site.findMany({ where, orderBy: { createdAt: 'asc' }, take: query.limit, skip: query.offset }),
      this.deps.db.site.count({ where }),
    ]);
    const domains = await this.deps.db.domain.findMany({
      where: { siteId: { in: rows.map((row) => row.id) } },
      select: { siteId: true, hostname: true, kind: true, tlsMode: true },
      orderBy: { createdAt: 'asc' },
    });
    const bySite = new Map<string, { hostname: string; kind: string; tlsMode: string }[]>();
    for (const { siteId, ...d } of domains) {
      const list = bySite.get(siteId) ?? [];
      list.push(d);
      bySite.set(siteId, list);
    }
    const visit = { edgePorts: this.deps.edgePorts };
    return { items: rows.map((row) => toSite({ ...row, domains: bySite.get(row.id) ?? [] }, visit)), total };
  }

  async get(ctx: RequestContext, id: string): Promise<TSite> {
    requireNotBilling(ctx.principal);
    return toSite(await this.findScoped(ctx, id), { edgePorts: this.deps.edgePorts });
  }

  async create(ctx: RequestContext, input: z.output<typeof ZCreateSiteRequest>): Promise<TSite> {
    requireWrite(ctx.principal);
    const tenantId = ctx.principal.role === 'admin' ? input.tenantId : (input.tenantId ?? ctx.principal.tenantId);
    if (!tenantId) {
      throw new AppError('VALIDATION_FAILED', 'Say which tenant the site belongs to (tenantId).', {
        details: { issues: [{ in: 'body', path: ['tenantId'], message: 'Required for administrators.' }] },
      });
    }
    if (!canSeeTenant(ctx.principal, tenantId)) throw notFound('Tenant');
    const id = newId();
    const settings = input.settings ?? {};
    try {
      await this.deps.db.$transaction(async (tx) => {
        const tenant = await tx.tenant.findUnique({
          where: { id: tenantId },
          include: { plan: true, _count: { select: { sites: true } } },
        });
        if (!tenant) throw notFound('Tenant');
        if (tenant.status === 'suspended')
          throw new AppError(
            'TENANT_SUSPENDED',
            'This account is suspended; sites cannot be added until it is unsuspended.',
          );
        if (tenant._count.sites >= tenant.plan.maxSites) {
          throw new AppError(
            'PLAN_LIMIT_REACHED',
            `The plan allows ${tenant.plan.maxSites} site(s); delete a site or move to a larger plan.`,
          );
        }
        checkPlanAllows(toPlan(tenant.plan), input.runtime, settings);
        if (
          await tx.site.findUnique({ where: { tenantId_name: { tenantId, name: input.name } }, select: { id: true } })
        ) {
          throw new AppError('SITE_NAME_TAKEN', `This account already has a site named "${input.name}".`);
        }
        await insertSite(tx, ctx, { id, tenantId, name: input.name, runtime: input.runtime, settings });
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('SITE_NAME_TAKEN', `This account already has a site named "${input.name}".`);
      throw error;
    }
    this.deps.notifier.tenantChanged(tenantId);
    return this.get(ctx, id);
  }

  async update(ctx: RequestContext, id: string, input: z.output<typeof ZUpdateSiteRequest>): Promise<TSite> {
    requireWrite(ctx.principal);
    const site = toSite(await this.findScoped(ctx, id));
    await this.deps.db.$transaction(async (tx) => {
      const tenant = await tx.tenant.findUniqueOrThrow({ where: { id: site.tenantId }, include: { plan: true } });
      if (tenant.status === 'suspended')
        throw new AppError('TENANT_SUSPENDED', 'This account is suspended; unsuspend it before changing its sites.');
      const current = site.settings;
      const settings: TSiteSettings = input.settings
        ? {
            ...current,
            ...input.settings,
            php: input.settings.php ? { ...current.php, ...input.settings.php } : current.php,
          }
        : current;
      const runtime = input.runtime ?? site.runtime;
      checkPlanAllows(toPlan(tenant.plan), runtime, settings);
      await tx.site.update({
        where: { id },
        data: {
          ...siteColumns({ runtime, settings }),
          status: 'pending',
          statusMessage: null,
          statusSince: new Date(),
        },
      });
      await recordEvent(tx, ctx, {
        action: 'site.update',
        targetType: 'site',
        targetId: id,
        tenantId: site.tenantId,
        details: { runtime, from: site.runtime, settingsChanged: input.settings !== undefined },
      });
    });
    this.deps.notifier.tenantChanged(site.tenantId);
    return this.get(ctx, id);
  }

  /**
   * retry puts a failed or degraded site back in line: its status returns to pending and its tenant is
   * converged now, without waiting for the reconciler's backoff (the probe then says again whether visitors
   * are served). A site that is live, converging or suspended cannot be retried.
   */
  async retry(ctx: RequestContext, id: string): Promise<TSite> {
    requireWrite(ctx.principal);
    const site = await this.findScoped(ctx, id);
    if (site.status !== 'failed' && site.status !== 'degraded') {
      throw new AppError(
        'SITE_NOT_FAILED',
        `Only a failed or degraded site can be retried; this one is ${site.status}.`,
      );
    }
    await this.deps.db.$transaction(async (tx) => {
      await tx.site.update({
        where: { id },
        data: { status: 'pending', statusMessage: null, statusSince: new Date() },
      });
      await recordEvent(tx, ctx, {
        action: 'site.retry',
        targetType: 'site',
        targetId: id,
        tenantId: site.tenantId,
        message: site.statusMessage,
        details: { name: site.name },
      });
    });
    this.deps.notifier.tenantChanged(site.tenantId);
    return this.get(ctx, id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    requireWrite(ctx.principal);
    const site = await this.findScoped(ctx, id);
    await this.deps.db.$transaction(async (tx) => {
      await tx.site.delete({ where: { id } });
      await recordEvent(tx, ctx, {
        action: 'site.delete',
        targetType: 'site',
        targetId: id,
        tenantId: site.tenantId,
        details: { name: site.name },
      });
    });
    this.deps.notifier.tenantChanged(site.tenantId);
  }

  /**
   * purgeCache empties the tenant's Varnish for this site: one URL (its host must be one of the site's
   * domains), or every URL of every hostname of the site. It acts at once; it is not desired state.
   */
  async purgeCache(
    ctx: RequestContext,
    id: string,
    input: z.output<typeof ZPurgeCacheRequest>,
  ): Promise<{ purged: string[] }> {
    requireWrite(ctx.principal);
    const site = await this.findScoped(ctx, id);
    const tenant = await this.deps.db.tenant.findUniqueOrThrow({
      where: { id: site.tenantId },
      select: { varnishEnabled: true },
    });
    if (!tenant.varnishEnabled)
      throw new AppError(
        'CACHE_NOT_ENABLED',
        'Varnish is off for this account; switch it on first (PATCH /api/v1/tenants/{id} {"varnishEnabled": true}).',
      );
    const cache = this.deps.cache.current;
    if (!cache)
      throw new AppError(
        'RUNTIME_UNAVAILABLE',
        'The cache cannot be reached right now (the control plane is not running); try again shortly.',
      );
    const hosts = site.domains.map((d) => d.hostname);
    let purged: string[];
    if (input.url) {
      const url = new URL(input.url);
      if (!hosts.includes(url.hostname)) {
        throw new AppError('VALIDATION_FAILED', `${url.hostname} is not a domain of this site.`, {
          details: {
            issues: [{ in: 'body', path: ['url'], message: `Use one of: ${hosts.join(', ') || '(no domains yet)'}.` }],
          },
        });
      }
      await cacheCall(() => cache.purgeUrl(site.tenantId, url.toString()));
      purged = [url.toString()];
    } else {
      for (const host of hosts) await cacheCall(() => cache.banHost(site.tenantId, host));
      purged = hosts;
    }
    await recordEvent(this.deps.db, ctx, {
      action: 'site.cache-purge',
      targetType: 'site',
      targetId: id,
      tenantId: site.tenantId,
      details: { purged },
    });
    return { purged };
  }

  /** findScoped loads a site the principal may see; another tenant's site is simply "not found". */
  private async findScoped(ctx: RequestContext, id: string): Promise<SiteRow> {
    const row = await this.deps.db.site.findFirst({
      where: { id, tenantId: tenantScope(ctx.principal) },
      include: SITE_INCLUDE,
    });
    if (!row) throw notFound('Site');
    return row;
  }
}

/** cacheCall runs one cache operation and answers the cache port's failures with the API's codes. */
async function cacheCall(op: () => Promise<void>): Promise<void> {
  try {
    await op();
  } catch (error) {
    if (!(error instanceof CachePortError)) throw error;
    if (error.reason === 'not-running') {
      throw new AppError(
        'CACHE_NOT_RUNNING',
        "This account's cache (Varnish) is not running yet, or stopped; purge again once its sites are live.",
        { cause: error },
      );
    }
    throw new AppError('RUNTIME_UNAVAILABLE', 'The cache cannot be reached right now; try again shortly.', {
      cause: error,
    });
  }
}

import type { Db, DomainModel, PlanModel, PortAllocationModel, SiteModel, TenantModel } from '@berth/db';
import type { TSiteStatus } from '@berth/contracts';
import type { DesiredDomain, DesiredSite, DesiredStore, DesiredTenant } from '@berth/reconciler';
import { recordEvent } from '../events/events.service.js';
import { toDomain } from '../records/domain.record.js';
import { toPlan } from '../records/plan.record.js';
import { toSite } from '../records/site.record.js';
import type { DataKey } from '../secrets/data-key.js';

const TENANT_INCLUDE = {
  plan: true,
  ports: true,
  sites: { orderBy: { createdAt: 'asc' }, include: { domains: { orderBy: { createdAt: 'asc' } } } },
} as const;

type FullTenantRow = TenantModel & {
  plan: PlanModel;
  ports: PortAllocationModel[];
  sites: (SiteModel & { domains: DomainModel[] })[];
};

const STATUS_EVENTS: Partial<Record<TSiteStatus, string>> = {
  provisioning: 'site.provisioning',
  live: 'site.live',
  degraded: 'site.degraded',
  failed: 'site.failed',
  suspended: 'site.suspended',
};

/**
 * PrismaDesiredStore is the reconciler's view of the database: tenants as DesiredTenant (uploaded keys
 * decrypted only here, on their way to Caddy), and site statuses written back with one event per change
 * of status, so users see every step in GET /api/v1/events.
 */
export class PrismaDesiredStore implements DesiredStore {
  constructor(private readonly deps: { db: Db; dataKey: DataKey }) {}

  async loadTenant(tenantId: string): Promise<DesiredTenant | null> {
    const row = await this.deps.db.tenant.findUnique({ where: { id: tenantId }, include: TENANT_INCLUDE });
    return row ? this.toDesired(row) : null;
  }

  async loadAll(): Promise<DesiredTenant[]> {
    const rows = await this.deps.db.tenant.findMany({ include: TENANT_INCLUDE, orderBy: { createdAt: 'asc' } });
    return rows.map((row) => this.toDesired(row));
  }

  async listTenantIds(): Promise<string[]> {
    return (await this.deps.db.tenant.findMany({ select: { id: true } })).map((t) => t.id);
  }

  async setSiteStatus({
    tenantId,
    siteIds,
    status,
    message,
    onlyFrom,
  }: {
    tenantId: string;
    siteIds: string[];
    status: TSiteStatus;
    message: string | null;
    onlyFrom?: readonly TSiteStatus[];
  }): Promise<void> {
    const { db } = this.deps;
    await db.$transaction(async (tx) => {
      const sites = await tx.site.findMany({
        where: { id: { in: siteIds }, tenantId, ...(onlyFrom ? { status: { in: [...onlyFrom] } } : {}) },
        select: { id: true, status: true, statusMessage: true, name: true },
      });
      for (const site of sites) {
        if (site.status === status && site.statusMessage === message) continue;
        // The message of a status may change (a new reason) without a new event: one event per change of state.
        const changed = site.status !== status;
        await tx.site.update({
          where: { id: site.id },
          data: { status, statusMessage: message, ...(changed ? { statusSince: new Date() } : {}) },
        });
        const action = STATUS_EVENTS[status];
        if (action && changed) {
          const result = status === 'failed' || status === 'degraded' ? 'error' : 'ok';
          await recordEvent(tx, null, {
            action,
            targetType: 'site',
            targetId: site.id,
            tenantId,
            result,
            message,
            details: { name: site.name, from: site.status },
          });
        }
      }
    });
  }

  async recordEvent({
    tenantId,
    action,
    result,
    message,
    details,
  }: {
    tenantId: string;
    action: string;
    result: 'ok' | 'error';
    message?: string;
    details?: Record<string, unknown>;
  }): Promise<void> {
    await recordEvent(this.deps.db, null, {
      action,
      targetType: 'tenant',
      targetId: tenantId,
      tenantId,
      result,
      message: message ?? null,
      details,
    });
  }

  /** toDesired maps a tenant's rows through the API's record mappers (records/*.ts) to the reconciler's shape. */
  private toDesired(row: FullTenantRow): DesiredTenant {
    const port = (purpose: string) => row.ports.find((p) => p.purpose === purpose)?.port ?? 0;
    const plan = toPlan(row.plan);
    return {
      id: row.id,
      slug: row.slug,
      uid: row.uid,
      status: row.status === 'suspended' ? 'suspended' : 'active',
      webserver: row.webserver === 'apache' ? 'apache' : 'nginx',
      varnishEnabled: row.varnishEnabled,
      ports: { web: port('web'), cache: port('cache') },
      plan: {
        cpuMillicores: plan.cpuMillicores,
        memoryMb: plan.memoryMb,
        pidsLimit: plan.pidsLimit,
        diskMb: plan.diskMb,
        phpMaxMemoryMb: plan.phpMaxMemoryMb,
        phpMaxUploadMb: plan.phpMaxUploadMb,
        phpMaxExecSeconds: plan.phpMaxExecSeconds,
        egressAllow: plan.egressAllow,
      },
      sites: row.sites.map((site) => this.desiredSite(site)),
    };
  }

  private desiredSite(row: SiteModel & { domains: DomainModel[] }): DesiredSite {
    const { id, name, runtime, status, settings } = toSite(row);
    return { id, name, ...runtime, status, settings, domains: row.domains.map((d) => this.desiredDomain(d)) };
  }

  private desiredDomain(row: DomainModel): DesiredDomain {
    const { id, hostname, kind, redirectTo, redirectCode, tls, wwwRedirect } = toDomain(row);
    return {
      id,
      hostname,
      kind,
      redirectTo,
      redirectCode,
      tls,
      wwwRedirect,
      verified: row.verifiedAt !== null,
      ...(tls === 'custom' && row.customCertPem && row.customKeyEnc
        ? { customCertificate: { chainPem: row.customCertPem, keyPem: this.deps.dataKey.decrypt(row.customKeyEnc) } }
        : {}),
    };
  }
}

import type { Db } from '@berth/db';
import type { TSiteSettings, TSiteStatus } from '@berth/contracts';
import { ZSiteSettings } from '@berth/contracts';
import type { DesiredStore, DesiredTenant } from '@berth/reconciler';
import { recordEvent } from '../events/events.service.js';
import type { DataKey } from '../secrets/data-key.js';

const TENANT_INCLUDE = {
  plan: true,
  ports: true,
  sites: { orderBy: { createdAt: 'asc' }, include: { domains: { orderBy: { createdAt: 'asc' } } } },
} as const;

type TenantRow = NonNullable<Awaited<ReturnType<Db['tenant']['findUnique']>>>;
type FullTenantRow = TenantRow & {
  plan: { cpuMillicores: number; memoryMb: number; pidsLimit: number; diskMb: number; phpMaxMemoryMb: number; phpMaxUploadMb: number; phpMaxExecSeconds: number; egressAllow: string };
  ports: { port: number; purpose: string }[];
  sites: {
    id: string; name: string; runtimeKind: string; runtimeVersion: string; status: string; settings: string;
    domains: { id: string; hostname: string; kind: string; redirectTo: string | null; redirectCode: number | null; tlsMode: string; wwwRedirect: string; customCertPem: string | null; customKeyEnc: string | null; verifiedAt: Date | null }[];
  }[];
};

/**
 * egressAllowOf reads Plan.egressAllow (a JSON array the API validated). The runtime checks every entry again
 * before it becomes a rule, so anything that is not an array of strings is handed on as one entry, which that
 * tenant's pass then refuses with its text in the message.
 */
function egressAllowOf(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined; // not JSON: reported below as the entry itself
  }
  return Array.isArray(value) && value.every((e) => typeof e === 'string') ? value : [text];
}

const STATUS_EVENTS: Partial<Record<TSiteStatus, string>> = { provisioning: 'site.provisioning', live: 'site.live', degraded: 'site.degraded', failed: 'site.failed', suspended: 'site.suspended' };

/**
 * PrismaDesiredStore is the reconciler's view of the database: tenants as DesiredTenant (uploaded keys
 * decrypted only here, on their way to Caddy), and site statuses written back with one event per change
 * of status, so users see every step in GET /api/v1/events.
 */
export class PrismaDesiredStore implements DesiredStore {
  constructor(private readonly deps: { db: Db; dataKey: DataKey }) {}

  async loadTenant(tenantId: string): Promise<DesiredTenant | null> {
    const row = await this.deps.db.tenant.findUnique({ where: { id: tenantId }, include: TENANT_INCLUDE });
    return row ? this.toDesired(row as FullTenantRow) : null;
  }

  async loadAll(): Promise<DesiredTenant[]> {
    const rows = await this.deps.db.tenant.findMany({ include: TENANT_INCLUDE, orderBy: { createdAt: 'asc' } });
    return rows.map((row) => this.toDesired(row as FullTenantRow));
  }

  async listTenantIds(): Promise<string[]> {
    return (await this.deps.db.tenant.findMany({ select: { id: true } })).map((t) => t.id);
  }

  async setSiteStatus({ tenantId, siteIds, status, message, onlyFrom }: { tenantId: string; siteIds: string[]; status: TSiteStatus; message: string | null; onlyFrom?: readonly TSiteStatus[] }): Promise<void> {
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
        await tx.site.update({ where: { id: site.id }, data: { status, statusMessage: message, ...(changed ? { statusSince: new Date() } : {}) } });
        const action = STATUS_EVENTS[status];
        if (action && changed) {
          const result = status === 'failed' || status === 'degraded' ? 'error' : 'ok';
          await recordEvent(tx, null, { action, targetType: 'site', targetId: site.id, tenantId, result, message, details: { name: site.name, from: site.status } });
        }
      }
    });
  }

  async recordEvent({ tenantId, action, result, message, details }: { tenantId: string; action: string; result: 'ok' | 'error'; message?: string; details?: Record<string, unknown> }): Promise<void> {
    await recordEvent(this.deps.db, null, { action, targetType: 'tenant', targetId: tenantId, tenantId, result, message: message ?? null, details });
  }

  private toDesired(row: FullTenantRow): DesiredTenant {
    const port = (purpose: string) => row.ports.find((p) => p.purpose === purpose)?.port ?? 0;
    return {
      id: row.id,
      slug: row.slug,
      uid: row.uid,
      status: row.status === 'suspended' ? 'suspended' : 'active',
      webserver: row.webserver === 'apache' ? 'apache' : 'nginx',
      varnishEnabled: row.varnishEnabled,
      ports: { web: port('web'), cache: port('cache') },
      plan: {
        cpuMillicores: row.plan.cpuMillicores,
        memoryMb: row.plan.memoryMb,
        pidsLimit: row.plan.pidsLimit,
        diskMb: row.plan.diskMb,
        phpMaxMemoryMb: row.plan.phpMaxMemoryMb,
        phpMaxUploadMb: row.plan.phpMaxUploadMb,
        phpMaxExecSeconds: row.plan.phpMaxExecSeconds,
        egressAllow: egressAllowOf(row.plan.egressAllow),
      },
      sites: row.sites.map((site) => ({
        id: site.id,
        name: site.name,
        kind: site.runtimeKind as DesiredTenant['sites'][number]['kind'],
        version: site.runtimeVersion,
        status: site.status as TSiteStatus,
        settings: ZSiteSettings.parse(JSON.parse(site.settings)) as TSiteSettings,
        domains: site.domains.map((d) => ({
          id: d.id,
          hostname: d.hostname,
          kind: d.kind as 'primary' | 'alias' | 'redirect',
          redirectTo: d.redirectTo,
          redirectCode: d.redirectCode,
          tls: d.tlsMode as 'auto' | 'internal' | 'custom' | 'off',
          wwwRedirect: d.wwwRedirect as 'none' | 'www-to-apex' | 'apex-to-www',
          verified: d.verifiedAt !== null,
          ...(d.tlsMode === 'custom' && d.customCertPem && d.customKeyEnc
            ? { customCertificate: { chainPem: d.customCertPem, keyPem: this.deps.dataKey.decrypt(d.customKeyEnc) } }
            : {}),
        })),
      })),
    };
  }
}

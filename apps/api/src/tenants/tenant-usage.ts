import type { Db } from '@berth/db';
import { edgeLogsDir, tenantSitesDir, tenantsRoot } from '@berth/runtime/layout';
import type { TTenantUsage } from '@berth/contracts';
import { BandwidthMeter, monthBounds } from '../billing/bandwidth-meter.js';
import { databaseBytes, measureDiskUsage } from '../files/files.usage.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;

/**
 * TenantUsageMeter measures one account against its plan: disk (site files, du-style, and its databases as
 * their servers last reported them), this calendar month's bandwidth from the edge's access logs, and its
 * sites, domains and databases. One instance per process: its BandwidthMeter remembers how far each log was
 * read, so the tenants' home and billing's UsageUpdate share one reading.
 */
export class TenantUsageMeter {
  private readonly bandwidth: BandwidthMeter;

  constructor(private readonly deps: { db: Db; dataDir: string }) {
    this.bandwidth = new BandwidthMeter(edgeLogsDir(deps.dataDir));
  }

  /** measure answers the tenant's usage as of `now`, or null when there is no such tenant. Callers authorize first. */
  async measure(tenantId: string, now = new Date()): Promise<TTenantUsage | null> {
    const { db } = this.deps;
    const tenant = await db.tenant.findUnique({
      where: { id: tenantId },
      select: {
        slug: true,
        plan: {
          select: {
            id: true,
            name: true,
            diskMb: true,
            bandwidthGb: true,
            maxSites: true,
            maxDomains: true,
            maxDatabases: true,
          },
        },
      },
    });
    if (!tenant) return null;
    const { plan } = tenant;
    const period = monthBounds(now);
    const [files, databases, bandwidth, siteCount, domainCount, databaseCount] = await Promise.all([
      measureDiskUsage(tenantSitesDir(tenantsRoot(this.deps.dataDir), tenantId)),
      databaseBytes(db, tenantId),
      this.bandwidth.bytesInMonth(tenantId, now),
      db.site.count({ where: { tenantId } }),
      db.domain.count({ where: { tenantId } }),
      db.database.count({ where: { tenantId } }),
    ]);
    return {
      accountId: tenantId,
      username: tenant.slug,
      disk: {
        usedBytes: files + databases,
        limitBytes: plan.diskMb * MB,
        filesBytes: files,
        databasesBytes: databases,
      },
      bandwidth: {
        usedBytes: bandwidth,
        limitBytes: plan.bandwidthGb * GB,
        periodStart: period.start.toISOString(),
        periodEnd: period.end.toISOString(),
      },
      measuredAt: now.toISOString(),
      plan: { id: plan.id, name: plan.name },
      sites: { used: siteCount, limit: plan.maxSites },
      domains: { used: domainCount, limit: plan.maxDomains },
      databases: { used: databaseCount, limit: plan.maxDatabases },
    };
  }
}

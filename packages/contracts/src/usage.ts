import { z } from 'zod';
import { ZAccountUsage } from './billing.js';
import { ZId } from './common.js';

/** ZCountMeter is one counted resource of an account (sites, domains, databases) against its plan's limit. */
export const ZCountMeter = z.object({ used: z.number().int(), limit: z.number().int() });
export type TCountMeter = z.infer<typeof ZCountMeter>;

/**
 * ZTenantUsage is GET /tenants/{id}/usage, what a tenant's own users read on their home: disk and this month's
 * bandwidth exactly as billing reads them (ZAccountUsage; `accountId` is the tenant's id), and its sites,
 * domains and databases against the plan's `maxSites`, `maxDomains` and `maxDatabases`.
 */
export const ZTenantUsage = ZAccountUsage.extend({
  plan: z.object({ id: ZId, name: z.string() }),
  sites: ZCountMeter,
  domains: ZCountMeter,
  databases: ZCountMeter,
}).meta({
  examples: [
    {
      accountId: '01jd1s9k8m0000000000000000',
      username: 'acme',
      disk: { usedBytes: 52_428_800, limitBytes: 1_048_576_000, filesBytes: 41_943_040, databasesBytes: 10_485_760 },
      bandwidth: {
        usedBytes: 1_234_567,
        limitBytes: 10_737_418_240,
        periodStart: '2026-11-01T00:00:00.000Z',
        periodEnd: '2026-12-01T00:00:00.000Z',
      },
      measuredAt: '2026-11-23T10:00:00.000Z',
      plan: { id: '01jd1s9k8m0000000000000001', name: 'Standard' },
      sites: { used: 2, limit: 3 },
      domains: { used: 3, limit: 10 },
      databases: { used: 1, limit: 5 },
    },
  ],
});
export type TTenantUsage = z.infer<typeof ZTenantUsage>;

import { resolveDomainHosts } from '@berth/contracts';
import {
  DEFAULT_STATIC_PREFIXES,
  type DesiredDomain,
  type DesiredSite,
  type DesiredTenant,
  type DomainTls,
} from '../desired.js';
import { validateHostRecord, type THostRecord, type THostTls } from './host-record.js';

/** RecordProblem is a domain whose host could not be put in the table, and why (shown on its site only). */
export interface RecordProblem {
  tenantId: string;
  siteId: string;
  domainId: string;
  host: string;
  reason: string;
}

function hostTls(tls: DomainTls): THostTls {
  return tls.mode === 'custom'
    ? { mode: 'custom', certificate_pem: tls.certificatePem, key_pem: tls.keyPem }
    : { mode: tls.mode };
}

function domainRecords(tenant: DesiredTenant, site: DesiredSite, domain: DesiredDomain): THostRecord[] {
  const common = {
    tenant: tenant.id,
    site: site.id,
    domain: domain.id,
    tls: hostTls(domain.tls),
    ...(domain.accessLog ? { log: true } : {}),
  };
  const hosts = resolveDomainHosts(domain);
  if (tenant.status === 'suspended')
    return hosts.all.map((host) => ({ ...common, host, action: 'suspended' as const }));
  if (domain.kind === 'redirect') {
    const redirect = {
      to: domain.redirectTo,
      status: domain.redirectStatus,
      preserve_path: domain.preservePath !== false,
    };
    return hosts.all.map((host) => ({ ...common, host, action: 'redirect' as const, redirect }));
  }
  const prefixes = site.staticPrefixes ?? DEFAULT_STATIC_PREFIXES;
  const records: THostRecord[] = [
    {
      ...common,
      host: hosts.canonical,
      action: 'proxy',
      upstream: tenant.upstream,
      ...(prefixes.length > 0 ? { static: { root: site.documentRoot, prefixes: [...prefixes] } } : {}),
    },
  ];
  if (hosts.redirecting !== undefined)
    records.push({ ...common, host: hosts.redirecting, action: 'canonical', canonical: hosts.canonical });
  return records;
}

/**
 * buildHostRecords turns tenants into host records (a pure function). Each record is checked alone:
 * a record that fails, or a www twin whose name another domain already holds as its own hostname, is left
 * out and reported as a problem of its own domain, and every other host is unaffected.
 */
export function buildHostRecords(
  tenants: DesiredTenant[],
  { staticBase }: { staticBase: string },
): { records: THostRecord[]; problems: RecordProblem[] } {
  const records = new Map<string, THostRecord>();
  const problems: RecordProblem[] = [];
  const literal = new Set(tenants.flatMap((t) => t.sites.flatMap((s) => s.domains.map((d) => d.hostname))));
  for (const tenant of tenants) {
    for (const site of tenant.sites) {
      for (const domain of site.domains) {
        for (const record of domainRecords(tenant, site, domain)) {
          const problem = (reason: string) =>
            problems.push({ tenantId: tenant.id, siteId: site.id, domainId: domain.id, host: record.host, reason });
          if (record.host !== domain.hostname && literal.has(record.host)) {
            problem(`the www twin ${record.host} is another domain's hostname`);
            continue;
          }
          if (records.has(record.host)) {
            problem(`${record.host} is already served by another domain`);
            continue;
          }
          const invalid = validateHostRecord(record, { staticBase });
          if (invalid !== null) {
            problem(invalid);
            continue;
          }
          records.set(record.host, record);
        }
      }
    }
  }
  return { records: [...records.values()], problems };
}

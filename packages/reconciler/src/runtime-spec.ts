import { DOCUMENT_ROOT, type PhpSettings, type SiteSpec, type TenantRuntimeSpec } from '@berth/runtime';
import { effectivePhpSettings, FIRST_TENANT_UID, phpSettingRanges, resolveDomainHosts } from '@berth/contracts';
import type { DesiredDomain, DesiredSite, DesiredTenant } from './desired.js';

/** APP_PORTS are where the starter Node.js and Python apps listen inside their containers. */
export const APP_PORTS = { node: 3000, python: 8000 } as const;

const MB = 1024 * 1024;

/** servedHostnames are the names a site's webserver must answer: primaries and aliases with their www twins. */
export function servedHostnames(domains: DesiredDomain[]): string[] {
  const names = domains.filter((d) => d.kind !== 'redirect').flatMap((d) => resolveDomainHosts(d).all);
  return [...new Set(names)];
}

function phpSettings(tenant: DesiredTenant, site: DesiredSite): PhpSettings {
  const php = site.settings.php ?? {};
  return { ...effectivePhpSettings(tenant.plan, php), displayErrors: php.displayErrors ?? false };
}

/**
 * PLACEHOLDER_DOMAIN: a site without domains still gets its containers and a vhost, under a name in the
 * reserved `.invalid` TLD that no visitor can ever send; adding a domain makes it reachable.
 */
export const PLACEHOLDER_DOMAIN = 'site.invalid';

function siteSpec(tenant: DesiredTenant, site: DesiredSite): SiteSpec {
  const served = servedHostnames(site.domains);
  const base = { siteId: site.id, hostnames: served.length > 0 ? served : [`${site.id}.${PLACEHOLDER_DOMAIN}`] };
  switch (site.kind) {
    case 'php':
      return {
        ...base,
        kind: 'php',
        version: site.version,
        documentRoot: DOCUMENT_ROOT,
        php: phpSettings(tenant, site),
      };
    case 'static':
      return { ...base, kind: 'static', documentRoot: DOCUMENT_ROOT };
    case 'node':
      return { ...base, kind: 'node', version: site.version, command: ['node', 'server.js'], port: APP_PORTS.node };
    case 'python':
      return {
        ...base,
        kind: 'python',
        version: site.version,
        command: ['gunicorn', '-b', `0.0.0.0:${APP_PORTS.python}`, '-w', '2', 'app:app'],
        port: APP_PORTS.python,
      };
  }
}

/**
 * tenantSubnetSlot is the tenant's preferred /27 within the panel's pool: its uid's offset, unique while
 * the tenant exists. The runtime takes the next free /27 if another network already holds it.
 */
export function tenantSubnetSlot(uid: number, firstUid = FIRST_TENANT_UID): number {
  return Math.max(0, uid - firstUid);
}

/**
 * toRuntimeSpec maps a tenant's desired state to the runtime's input: the plan's CPU, memory and processes
 * are the tenant's totals (its parent cgroup, shared by all its containers) and each container's cap inside
 * them (each container may use all of it; the webserver and cache get a smaller memory share), the plan's
 * disk is the size of the tenant's filesystem, PHP settings are clamped to the plan (PHP_SETTING_RULES in
 * @berth/contracts, the same ranges the runtime's pool config clamps to), and every site gets its served hostnames.
 */
export function toRuntimeSpec(tenant: DesiredTenant, opts: { networkPool?: string } = {}): TenantRuntimeSpec {
  const plan = tenant.plan;
  const nanoCpus = plan.cpuMillicores * 1_000_000;
  const memoryBytes = plan.memoryMb * MB;
  const small = { nanoCpus, memoryBytes: Math.min(memoryBytes, 256 * MB), pids: Math.min(plan.pidsLimit, 512) };
  return {
    tenant: { tenantId: tenant.id, uid: tenant.uid, gid: tenant.uid },
    webserver: { kind: tenant.webserver, port: tenant.ports.web, limits: small },
    ...(tenant.varnishEnabled ? { varnish: { port: tenant.ports.cache, limits: small, cacheSizeMb: 64 } } : {}),
    sites: tenant.sites.map((site) => siteSpec(tenant, site)),
    php: {
      bounds: { ...phpSettingRanges(plan), maxChildren: 8 },
      limits: { nanoCpus, memoryBytes, pids: plan.pidsLimit },
    },
    appLimits: { nanoCpus, memoryBytes, pids: plan.pidsLimit },
    limits: { nanoCpus, memoryBytes, pids: plan.pidsLimit },
    ...(plan.diskMb !== undefined ? { disk: { bytes: plan.diskMb * MB } } : {}),
    ...(opts.networkPool ? { network: { pool: opts.networkPool, preferredSlot: tenantSubnetSlot(tenant.uid) } } : {}),
  };
}

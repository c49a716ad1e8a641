import type { CaddyConfig, CustomLog } from '../caddy-config.js';
import type { DesiredDomain, DesiredSite, DesiredTenant } from '../desired.js';
import type { Route } from '../http/route.js';
import type { Server } from '../http/server.js';
import type { AcmeIssuer } from '../tls/issuers.js';
import type { AutomationPolicy, LoadedCertificateFile, TlsApp } from '../tls/tls-app.js';
import { CaddyConfigInputError, assertAbsolutePath, assertDuration, assertEmail, assertPort, normalizeHttpUrl } from './assert-input.js';
import { assertDesiredEdge } from './assert-desired.js';
import { buildDomainRoute, buildHttpsRedirectRoute, resolveDomainHosts } from './domain-routes.js';
import { CaddyIds } from './ids.js';
import { DEFAULT_UPSTREAM_OPTIONS, LETS_ENCRYPT_DIRECTORY, ZEROSSL_DIRECTORY } from './options.js';
import type { AcmeOptions, BuildCaddyConfigOptions, UpstreamOptions } from './options.js';
import { NOT_FOUND_BODY } from './pages.js';

const LISTEN_HOST_RE = /^(?:|(?:\d{1,3}\.){3}\d{1,3}|\[[0-9a-fA-F:]+\])$/;

interface DomainEntry {
  tenant: DesiredTenant;
  site: DesiredSite;
  domain: DesiredDomain;
}

function byId<T extends { '@id'?: string }>(a: T, b: T): number {
  const x = a['@id'] ?? '';
  const y = b['@id'] ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function catchAllRoute(id: string): Route {
  return {
    '@id': id,
    handle: [
      {
        '@id': `${id}-response`,
        handler: 'static_response',
        status_code: 404,
        headers: { 'Content-Type': ['text/plain; charset=utf-8'], 'Cache-Control': ['no-store'] },
        body: NOT_FOUND_BODY,
      },
    ],
    terminal: true,
  };
}

function resolveUpstreamOptions(upstream: UpstreamOptions | undefined): Required<UpstreamOptions> {
  const merged = { ...DEFAULT_UPSTREAM_OPTIONS, ...upstream };
  for (const key of ['healthCheckInterval', 'healthCheckTimeout', 'tryDuration', 'tryInterval', 'streamCloseDelay', 'passiveFailDuration'] as const) {
    assertDuration({ field: `upstream.${key}`, value: merged[key] });
  }
  if (!/^\/[A-Za-z0-9._~/?=&%-]*$/.test(merged.healthCheckUri)) {
    throw new CaddyConfigInputError({ field: 'upstream.healthCheckUri', value: merged.healthCheckUri, reason: 'not a request URI' });
  }
  if (!Number.isInteger(merged.passiveMaxFails) || merged.passiveMaxFails < 1) {
    throw new CaddyConfigInputError({ field: 'upstream.passiveMaxFails', value: merged.passiveMaxFails, reason: 'not a positive integer' });
  }
  return merged;
}

function buildAcmeIssuer(acme: AcmeOptions | undefined): AcmeIssuer {
  const directory = acme?.directory ?? 'letsencrypt';
  const ca =
    directory === 'letsencrypt'
      ? LETS_ENCRYPT_DIRECTORY
      : directory === 'zerossl'
        ? ZEROSSL_DIRECTORY
        : normalizeHttpUrl({ field: 'acme.directory.url', value: directory.url });
  const issuer: AcmeIssuer = { module: 'acme', ca };
  if (acme?.email !== undefined) {
    assertEmail({ field: 'acme.email', value: acme.email });
    issuer.email = acme.email;
  }
  if (directory === 'zerossl' && acme?.email === undefined && acme?.externalAccount === undefined) {
    throw new CaddyConfigInputError({ field: 'acme.email', value: undefined, reason: 'ZeroSSL needs an email or external account binding' });
  }
  if (acme?.trustedRootsPemFiles !== undefined && acme.trustedRootsPemFiles.length > 0) {
    for (const file of acme.trustedRootsPemFiles) assertAbsolutePath({ field: 'acme.trustedRootsPemFiles', value: file });
    issuer.trusted_roots_pem_files = [...acme.trustedRootsPemFiles];
  }
  if (acme?.externalAccount !== undefined) {
    issuer.external_account = { key_id: acme.externalAccount.keyId, mac_key: acme.externalAccount.macKey };
  }
  return issuer;
}

function buildTlsApp({ entries, options }: { entries: DomainEntry[]; options: BuildCaddyConfigOptions }): TlsApp {
  const internalHosts: string[] = [];
  const acmeHosts: string[] = [];
  const files = new Map<string, LoadedCertificateFile>();
  for (const { domain } of entries) {
    const hosts = resolveDomainHosts(domain).all;
    if (domain.tls.mode === 'internal') internalHosts.push(...hosts);
    if (domain.tls.mode === 'auto') acmeHosts.push(...hosts);
    if (domain.tls.mode === 'custom') {
      const key = `${domain.tls.certificateFile}\n${domain.tls.keyFile}`;
      const existing = files.get(key);
      const tag = CaddyIds.domain(domain.id);
      if (existing) existing.tags = [...(existing.tags ?? []), tag].sort();
      else files.set(key, { certificate: domain.tls.certificateFile, key: domain.tls.keyFile, tags: [tag] });
    }
  }
  // A policy with no subjects would apply to every name, so empty policies are left out entirely.
  const policies: AutomationPolicy[] = [];
  if (internalHosts.length > 0) {
    policies.push({ '@id': CaddyIds.internalPolicy, subjects: internalHosts.sort(), issuers: [{ module: 'internal' }] });
  }
  if (acmeHosts.length > 0) {
    const policy: AutomationPolicy = { '@id': CaddyIds.acmePolicy, subjects: acmeHosts.sort(), issuers: [buildAcmeIssuer(options.acme)] };
    if (options.onDemand !== undefined) policy.on_demand = true;
    policies.push(policy);
  }
  const tls: TlsApp = {};
  if (files.size > 0) {
    tls.certificates = { load_files: [...files.values()].sort((a, b) => (a.certificate < b.certificate ? -1 : a.certificate > b.certificate ? 1 : 0)) };
  }
  if (policies.length > 0 || options.onDemand !== undefined) {
    tls.automation = {};
    if (policies.length > 0) tls.automation.policies = policies;
    if (options.onDemand !== undefined) {
      const endpoint = normalizeHttpUrl({ field: 'onDemand.permissionEndpoint', value: options.onDemand.permissionEndpoint });
      tls.automation.on_demand = { permission: { module: 'http', endpoint } };
    }
  }
  return tls;
}

/**
 * buildCaddyConfig turns the desired edge into the complete Caddy JSON config (a pure function: same input,
 * byte-identical output, so an unchanged desired state hashes the same and costs no reload).
 *
 * Layout: `berth-server-https` serves every TLS domain (one route per domain, sorted by `@id`, then a 404
 * catch-all); `berth-server-http` 308-redirects TLS domains to HTTPS and serves `tls: off` domains (then a
 * 404 catch-all). Caddy's automatic HTTPS still obtains certificates for the hosts of the HTTPS server
 * (issuer chosen by the `berth-tls-*` policies) but its implicit redirects are off; uploaded certificates are
 * excluded from management. A TLS handshake for a name Berth does not serve finds no certificate.
 *
 * @throws CaddyConfigInputError when any input is unsafe (see assertDesiredEdge).
 */
export function buildCaddyConfig(options: BuildCaddyConfigOptions): CaddyConfig {
  assertDesiredEdge(options.desired);
  const listenHost = options.listen?.host ?? '';
  if (!LISTEN_HOST_RE.test(listenHost)) throw new CaddyConfigInputError({ field: 'listen.host', value: listenHost, reason: 'not an IP literal or empty' });
  const httpPort = options.listen?.httpPort ?? 80;
  const httpsPort = options.listen?.httpsPort ?? 443;
  assertPort({ field: 'listen.httpPort', value: httpPort });
  assertPort({ field: 'listen.httpsPort', value: httpsPort });
  if (options.storage !== undefined) assertAbsolutePath({ field: 'storage.root', value: options.storage.root });
  const upstream = resolveUpstreamOptions(options.upstream);
  const httpsPortSuffix = httpsPort === 443 ? '' : `:${httpsPort}`;
  const httpPortSuffix = httpPort === 80 ? '' : `:${httpPort}`;

  const entries: DomainEntry[] = options.desired.tenants.flatMap((tenant) =>
    tenant.sites.flatMap((site) => site.domains.map((domain) => ({ tenant, site, domain }))),
  );

  const httpsRoutes: Route[] = [];
  const httpRoutes: Route[] = [];
  const skipCertificates: string[] = [];
  const loggerNames: Record<string, string> = {};
  const logs: Record<string, CustomLog> = {};
  for (const entry of entries) {
    const { domain } = entry;
    const tlsOn = domain.tls.mode !== 'off';
    const origin = tlsOn ? { scheme: 'https' as const, portSuffix: httpsPortSuffix } : { scheme: 'http' as const, portSuffix: httpPortSuffix };
    const route = buildDomainRoute({ ...entry, origin, upstream });
    if (tlsOn) {
      httpsRoutes.push(route);
      httpRoutes.push(buildHttpsRedirectRoute({ domain, httpsPortSuffix }));
    } else {
      httpRoutes.push(route);
    }
    const hosts = resolveDomainHosts(domain).all;
    if (domain.tls.mode === 'custom') skipCertificates.push(...hosts);
    if (domain.accessLogPath !== undefined) {
      const name = CaddyIds.domainLog(domain.id);
      for (const host of hosts) loggerNames[host] = name;
      logs[name] = {
        writer: {
          output: 'file',
          filename: domain.accessLogPath,
          roll_size_mb: options.accessLogs?.rollSizeMb ?? 50,
          roll_keep: options.accessLogs?.rollKeep ?? 5,
        },
        encoder: { format: 'json' },
        include: [`http.log.access.${name}`],
      };
    }
  }
  httpsRoutes.sort(byId).push(catchAllRoute(CaddyIds.httpsCatchAll));
  httpRoutes.sort(byId).push(catchAllRoute(CaddyIds.httpCatchAll));

  const hasLogs = Object.keys(loggerNames).length > 0;
  const serverLogs = hasLogs ? { logs: { logger_names: sortRecord(loggerNames), skip_unmapped_hosts: true } } : {};
  const httpsServer: Server = {
    '@id': CaddyIds.httpsServer,
    listen: [`${listenHost}:${httpsPort}`],
    routes: httpsRoutes,
    automatic_https: { disable_redirects: true, ...(skipCertificates.length > 0 ? { skip_certificates: skipCertificates.sort() } : {}) },
    ...serverLogs,
  };
  const httpServer: Server = {
    '@id': CaddyIds.httpServer,
    listen: [`${listenHost}:${httpPort}`],
    routes: httpRoutes,
    ...serverLogs,
  };

  const config: CaddyConfig = {
    admin: options.admin,
    ...(options.storage !== undefined ? { storage: options.storage } : {}),
    logging: {
      logs: {
        // Access logs go only to their per-domain files, never to the process log.
        default: { ...options.defaultLog, exclude: [...new Set([...(options.defaultLog?.exclude ?? []), 'http.log.access'])].sort() },
        ...sortRecord(logs),
      },
    },
    apps: {
      http: {
        http_port: httpPort,
        https_port: httpsPort,
        metrics: { per_host: true },
        servers: { [CaddyIds.httpsServer]: httpsServer, [CaddyIds.httpServer]: httpServer },
      },
      tls: buildTlsApp({ entries, options }),
      pki: { certificate_authorities: { local: { install_trust: false } } },
    },
  };
  return config;
}

function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

import type { DesiredDomain, DesiredSite, DesiredTenant, StaticPath } from '../desired.js';
import { DEFAULT_STATIC_PATHS } from '../desired.js';
import type { Handler } from '../http/handlers/handler.js';
import type { ReverseProxyHandler } from '../http/handlers/reverse-proxy.js';
import { matchHosts, matchPathPrefix } from '../http/matchers.js';
import type { Route } from '../http/route.js';
import { CaddyIds } from './ids.js';
import type { UpstreamOptions } from './options.js';
import { SUSPENDED_PAGE_HTML } from './pages.js';

/** DomainHosts are the names one domain answers to and the one it canonicalises to. */
export interface DomainHosts {
  /** Every host of the domain (hostname, plus its www twin when a www redirect is set). */
  all: string[];
  /** The host that serves content (the others redirect to it). */
  canonical: string;
  /** The host that only redirects to `canonical`, if any. */
  redirecting?: string;
}

/** resolveDomainHosts applies `wwwRedirect` to a hostname (typed with or without `www.`). */
export function resolveDomainHosts(domain: DesiredDomain): DomainHosts {
  if (domain.wwwRedirect === 'none') return { all: [domain.hostname], canonical: domain.hostname };
  const apex = domain.hostname.startsWith('www.') ? domain.hostname.slice(4) : domain.hostname;
  const www = `www.${apex}`;
  return domain.wwwRedirect === 'www-to-apex'
    ? { all: [apex, www], canonical: apex, redirecting: www }
    : { all: [apex, www], canonical: www, redirecting: apex };
}

/** PublicOrigin says how a visitor reaches a host: the scheme and the port suffix ('' for 80/443). */
export interface PublicOrigin {
  scheme: 'http' | 'https';
  portSuffix: string;
}

function redirectResponse({ id, status, location }: { id: string; status: number; location: string }): Handler {
  return { '@id': id, handler: 'static_response', status_code: status, headers: { Location: [location] } };
}

function buildReverseProxy({ id, port, upstream }: { id: string; port: number; upstream: Required<UpstreamOptions> }): ReverseProxyHandler {
  return {
    '@id': id,
    handler: 'reverse_proxy',
    upstreams: [{ dial: `127.0.0.1:${port}` }],
    // Caddy itself sets X-Forwarded-For/-Proto/-Host (replacing what an untrusted client sent) and keeps the
    // original Host; X-Real-IP is added for webservers configured the nginx way.
    headers: { request: { set: { 'X-Real-Ip': ['{http.request.remote.host}'] } } },
    health_checks: {
      active: { uri: upstream.healthCheckUri, interval: upstream.healthCheckInterval, timeout: upstream.healthCheckTimeout },
      passive: { fail_duration: upstream.passiveFailDuration, max_fails: upstream.passiveMaxFails },
    },
    load_balancing: { try_duration: upstream.tryDuration, try_interval: upstream.tryInterval },
    stream_close_delay: upstream.streamCloseDelay,
  };
}

function buildStaticRoute({ domainId, index, staticPath, site }: { domainId: string; index: number; staticPath: StaticPath; site: DesiredSite }): Route {
  return {
    '@id': CaddyIds.domainPart(domainId, `static-${index}`),
    match: [matchPathPrefix(staticPath.prefix)],
    handle: [
      { '@id': CaddyIds.domainPart(domainId, `static-${index}-encode`), handler: 'encode', encodings: { zstd: {}, gzip: {} }, prefer: ['zstd', 'gzip'] },
      { '@id': CaddyIds.domainPart(domainId, `static-${index}-strip`), handler: 'rewrite', strip_path_prefix: staticPath.prefix },
      {
        '@id': CaddyIds.domainPart(domainId, `static-${index}-files`),
        handler: 'file_server',
        root: staticPath.directory ?? `${site.documentRoot.replace(/\/$/, '')}${staticPath.prefix}`,
        // Dotfiles (.env, .git, .htaccess) are never served from disk.
        hide: ['.*'],
      },
    ],
    terminal: true,
  };
}

/**
 * buildDomainRoute builds the one top-level route of a domain on the server that serves its content: the
 * suspended page, a redirect, or (www redirect →) static prefixes from disk → the tenant's upstream.
 */
export function buildDomainRoute({
  tenant,
  site,
  domain,
  origin,
  upstream,
}: {
  tenant: DesiredTenant;
  site: DesiredSite;
  domain: DesiredDomain;
  origin: PublicOrigin;
  upstream: Required<UpstreamOptions>;
}): Route {
  const hosts = resolveDomainHosts(domain);
  const route = (handle: Handler[]): Route => ({ '@id': CaddyIds.domain(domain.id), match: [matchHosts(hosts.all)], handle, terminal: true });

  if (tenant.status === 'suspended') {
    return route([
      {
        '@id': CaddyIds.domainPart(domain.id, 'suspended'),
        handler: 'static_response',
        status_code: 503,
        headers: { 'Content-Type': ['text/html; charset=utf-8'], 'Cache-Control': ['no-store'], 'Retry-After': ['3600'] },
        body: SUSPENDED_PAGE_HTML,
      },
    ]);
  }

  if (domain.kind === 'redirect') {
    const target = domain.preservePath === false ? domain.redirectTo : `${domain.redirectTo.replace(/\/$/, '')}{http.request.uri}`;
    return route([redirectResponse({ id: CaddyIds.domainPart(domain.id, 'redirect'), status: domain.redirectStatus, location: target })]);
  }

  const routes: Route[] = [];
  if (hosts.redirecting !== undefined) {
    routes.push({
      '@id': CaddyIds.domainPart(domain.id, 'www'),
      match: [matchHosts([hosts.redirecting])],
      handle: [
        redirectResponse({
          id: CaddyIds.domainPart(domain.id, 'www-redirect'),
          status: 301,
          location: `${origin.scheme}://${hosts.canonical}${origin.portSuffix}{http.request.uri}`,
        }),
      ],
      terminal: true,
    });
  }
  (site.staticPaths ?? DEFAULT_STATIC_PATHS).forEach((staticPath, index) => {
    routes.push(buildStaticRoute({ domainId: domain.id, index, staticPath, site }));
  });
  routes.push({
    '@id': CaddyIds.domainPart(domain.id, 'upstream'),
    handle: [buildReverseProxy({ id: CaddyIds.domainPart(domain.id, 'proxy'), port: tenant.upstreamPort, upstream })],
  });
  return route([{ '@id': CaddyIds.domainPart(domain.id, 'routes'), handler: 'subroute', routes }]);
}

/** buildHttpsRedirectRoute answers plain-HTTP requests for a TLS domain with 308 to the same URL over HTTPS. */
export function buildHttpsRedirectRoute({ domain, httpsPortSuffix }: { domain: DesiredDomain; httpsPortSuffix: string }): Route {
  return {
    '@id': CaddyIds.domainPart(domain.id, 'to-https'),
    match: [matchHosts(resolveDomainHosts(domain).all)],
    handle: [
      redirectResponse({
        id: CaddyIds.domainPart(domain.id, 'to-https-redirect'),
        status: 308,
        location: `https://{http.request.host}${httpsPortSuffix}{http.request.uri}`,
      }),
    ],
    terminal: true,
  };
}

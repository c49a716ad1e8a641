/**
 * Desired edge state: what Caddy should serve, derived by the reconciler from the database (the only
 * source of truth). Everything here has already been validated by the API (contracts); the builder
 * re-asserts the security-relevant parts (hostnames, ports, paths, ids) and throws on anything else.
 */

/** TenantStatus decides whether a tenant's hosts reach its webserver or the suspended page. */
export type TenantStatus = 'active' | 'suspended';

/**
 * WwwRedirect pairs a domain with its `www.` twin. For hostname `example.com` (or `www.example.com`):
 * `www-to-apex` serves `example.com` and 301-redirects `www.example.com` to it; `apex-to-www` serves
 * `www.example.com` and 301-redirects `example.com` to it; `none` serves only the hostname as typed.
 */
export type WwwRedirect = 'none' | 'www-to-apex' | 'apex-to-www';

/**
 * DomainTls is the certificate source of a domain: `auto` = ACME (Let's Encrypt by default), `internal` =
 * Caddy's local CA, `custom` = an uploaded PEM pair on disk (paths as Caddy sees them), `off` = plain HTTP.
 */
export type DomainTls =
  | { mode: 'auto' }
  | { mode: 'internal' }
  | { mode: 'custom'; certificateFile: string; keyFile: string }
  | { mode: 'off' };

interface DesiredDomainBase {
  /** Stable id from the database; it becomes part of Caddy `@id`s and logger names. */
  id: string;
  /** Lower-case ASCII (punycode) hostname without port or trailing dot. */
  hostname: string;
  wwwRedirect: WwwRedirect;
  tls: DomainTls;
  /** Absolute path of this domain's JSON access log (as Caddy sees it); omitted = no per-host log. */
  accessLogPath?: string;
}

/** DesiredServedDomain serves the site: `primary` is the canonical name, `alias` serves the same content. */
export interface DesiredServedDomain extends DesiredDomainBase {
  kind: 'primary' | 'alias';
}

/** DesiredRedirectDomain answers every request with a redirect to `redirectTo`. */
export interface DesiredRedirectDomain extends DesiredDomainBase {
  kind: 'redirect';
  /** Absolute http(s) URL. */
  redirectTo: string;
  redirectStatus: 301 | 302;
  /** Append the request's path and query to `redirectTo` (default true). */
  preservePath?: boolean;
}

export type DesiredDomain = DesiredServedDomain | DesiredRedirectDomain;

/**
 * StaticPath maps a URL prefix to a directory Caddy serves itself (like the Caddyfile's
 * `handle_path /static/* { root * dir; file_server }`); `directory` defaults to documentRoot + prefix.
 */
export interface StaticPath {
  prefix: string;
  directory?: string;
}

export interface DesiredSite {
  id: string;
  /** Absolute path of the site's files as Caddy sees them (mounted read-only into Caddy). */
  documentRoot: string;
  /** URL prefixes served from disk by Caddy; defaults to DEFAULT_STATIC_PATHS. `[]` disables. */
  staticPaths?: StaticPath[];
  domains: DesiredDomain[];
}

export interface DesiredTenant {
  id: string;
  status: TenantStatus;
  /** Port on 127.0.0.1 that receives this tenant's traffic (its Varnish or its webserver). */
  upstreamPort: number;
  sites: DesiredSite[];
}

/** DesiredEdge is the whole edge: every tenant Caddy must serve. Anything absent here is not served. */
export interface DesiredEdge {
  tenants: DesiredTenant[];
}

/** DEFAULT_STATIC_PATHS are the prefixes served from disk when a site does not say otherwise. */
export const DEFAULT_STATIC_PATHS: readonly StaticPath[] = Object.freeze([{ prefix: '/static' }, { prefix: '/media' }]);

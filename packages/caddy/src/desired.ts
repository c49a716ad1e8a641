/**
 * Desired edge state: what Caddy should serve, derived by the reconciler from the database (the only
 * source of truth). Everything here has already been validated by the API (contracts); the record builder
 * checks each host again, alone, so one bad value only ever affects its own domain.
 */
import type { TWwwRedirect } from '@berth/contracts';

/** TenantStatus decides whether a tenant's hosts reach its webserver or the suspended page. */
export type TenantStatus = 'active' | 'suspended';

/** WwwRedirect pairs a domain with its `www.` twin (see resolveDomainHosts in contracts). */
export type WwwRedirect = TWwwRedirect;

/**
 * DomainTls is the certificate source of a domain: `auto` = ACME (Let's Encrypt by default), `internal` =
 * Caddy's local CA, `custom` = an uploaded PEM chain and key (answering for this domain's hosts only),
 * `off` = plain HTTP.
 */
export type DomainTls =
  | { mode: 'auto' }
  | { mode: 'internal' }
  | { mode: 'custom'; certificatePem: string; keyPem: string }
  | { mode: 'off' };

interface DesiredDomainBase {
  /** Stable id from the database. */
  id: string;
  /** Lower-case ASCII (punycode) hostname without port or trailing dot. */
  hostname: string;
  wwwRedirect: WwwRedirect;
  tls: DomainTls;
  /** Write a per-host JSON access log (`<logs_dir>/<tenant>/<host>.log`, read by the usage meter). */
  accessLog?: boolean;
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

export interface DesiredSite {
  id: string;
  /** Absolute path of the site's document root as Caddy sees it (mounted read-only into Caddy). */
  documentRoot: string;
  /** URL prefixes Caddy serves from `<documentRoot><prefix>` itself; defaults to DEFAULT_STATIC_PREFIXES. `[]` disables. */
  staticPrefixes?: string[];
  domains: DesiredDomain[];
}

export interface DesiredTenant {
  id: string;
  status: TenantStatus;
  /** Where this tenant's traffic goes (its Varnish or its webserver): `IP:port`, on this machine or another. */
  upstream: string;
  sites: DesiredSite[];
}

/** DesiredEdge is the whole edge: every tenant Caddy must serve. Anything absent here is not served. */
export interface DesiredEdge {
  tenants: DesiredTenant[];
}

/** DEFAULT_STATIC_PREFIXES are the prefixes served from disk when a site does not say otherwise. */
export const DEFAULT_STATIC_PREFIXES: readonly string[] = Object.freeze(['/static', '/media']);

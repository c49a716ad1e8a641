/**
 * @berth/caddy — the pure Caddy JSON builder and Berth's one door to Caddy's admin API.
 * The reconciler builds a DesiredEdge from the database, hands `() => buildCaddyConfig({...})` to a
 * CaddyConfigPusher, calls schedule() after changes, pushNow({ force: true }) at start-up and watch().
 */
export type {
  DesiredEdge,
  DesiredTenant,
  DesiredSite,
  DesiredDomain,
  DesiredServedDomain,
  DesiredRedirectDomain,
  DomainTls,
  StaticPath,
  TenantStatus,
  WwwRedirect,
} from './desired.js';
export { DEFAULT_STATIC_PATHS } from './desired.js';
export type { CaddyConfig, AdminConfig, StorageConfig, CustomLog, LogWriter } from './caddy-config.js';
export type { Route } from './http/route.js';
export type { Server, HttpApp, AutomaticHttps, ServerLogs } from './http/server.js';
export type { MatcherSet } from './http/matchers.js';
export type { Handler } from './http/handlers/handler.js';
export type { ReverseProxyHandler, HeaderOps, ActiveHealthChecks, PassiveHealthChecks } from './http/handlers/reverse-proxy.js';
export type { FileServerHandler } from './http/handlers/file-server.js';
export type { StaticResponseHandler } from './http/handlers/static-response.js';
export type { EncodeHandler } from './http/handlers/encode.js';
export type { RewriteHandler } from './http/handlers/rewrite.js';
export type { SubrouteHandler } from './http/handlers/subroute.js';
export type { TlsApp, AutomationPolicy, OnDemandPermission, LoadedCertificateFile } from './tls/tls-app.js';
export type { Issuer, AcmeIssuer, InternalIssuer } from './tls/issuers.js';
export { buildCaddyConfig } from './build/build-caddy-config.js';
export type { BuildCaddyConfigOptions, AcmeOptions, UpstreamOptions } from './build/options.js';
export { DEFAULT_UPSTREAM_OPTIONS, LETS_ENCRYPT_DIRECTORY, ZEROSSL_DIRECTORY } from './build/options.js';
export { CaddyConfigInputError } from './build/assert-input.js';
export { resolveDomainHosts } from './build/domain-routes.js';
export type { DomainHosts } from './build/domain-routes.js';
export { CaddyIds, BERTH_ID_PREFIX } from './build/ids.js';
export { SUSPENDED_PAGE_HTML, NOT_FOUND_BODY } from './build/pages.js';
export { hashConfig, canonicalJson } from './stable-hash.js';
export { CaddyAdminClient, CaddyAdminError } from './admin-client.js';
export type { CaddyAdminAddress, CaddyAdminClientOptions, CaddyHealth, LiveConfig } from './admin-client.js';
export { CaddyConfigPusher } from './config-pusher.js';
export type { CaddyConfigPusherOptions, PushOutcome, PusherStats } from './config-pusher.js';
export type { CaddyLogger } from './logger.js';
export { silentLogger } from './logger.js';

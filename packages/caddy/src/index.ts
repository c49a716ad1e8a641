/**
 * @berth/caddy — Berth's one door to Caddy: the skeleton config (pushed when the installation's settings
 * change), host records built from the desired state, and the admin client for both the config and the
 * host table of Berth's Caddy module (packages/caddy/module).
 *
 * The control plane pushes buildSkeleton() through a CaddyConfigPusher, then keeps the host table in step
 * with a HostTableSync: replaceAll at start and after a Caddy restart, applyTenant after each change.
 */
export type {
  DesiredEdge,
  DesiredTenant,
  DesiredSite,
  DesiredDomain,
  DesiredServedDomain,
  DesiredRedirectDomain,
  DomainTls,
  TenantStatus,
  WwwRedirect,
} from './desired.js';
export { DEFAULT_STATIC_PREFIXES } from './desired.js';
export type { CaddyConfig, AdminConfig, StorageConfig, CustomLog, LogWriter, BerthApp } from './caddy-config.js';
export type { Route } from './http/route.js';
export type { Server, HttpApp, AutomaticHttps } from './http/server.js';
export type { MatcherSet } from './http/matchers.js';
export type { Handler } from './http/handlers/handler.js';
export type { ReverseProxyHandler, HeaderOps, PassiveHealthChecks } from './http/handlers/reverse-proxy.js';
export type { EncodeHandler } from './http/handlers/encode.js';
export type { BerthHostHandler, BerthStaticHandler } from './http/handlers/berth.js';
export type { TlsApp, AutomationPolicy } from './tls/tls-app.js';
export type { AcmeIssuer, InternalIssuer, BerthIssuer } from './tls/issuers.js';
export { buildSkeleton, SERVER_NAMES } from './skeleton/build-skeleton.js';
export type { BuildSkeletonOptions, AcmeOptions, UpstreamOptions } from './skeleton/options.js';
export { DEFAULT_UPSTREAM_OPTIONS, LETS_ENCRYPT_DIRECTORY, ZEROSSL_DIRECTORY } from './skeleton/options.js';
export { CaddyConfigInputError } from './skeleton/assert-input.js';
export { SUSPENDED_PAGE_HTML, NOT_FOUND_BODY } from './skeleton/pages.js';
export { ZHostRecord, ZHostTls, validateHostRecord, recordKey } from './hosts/host-record.js';
export type { THostRecord, THostTls } from './hosts/host-record.js';
export { buildHostRecords } from './hosts/build-host-records.js';
export type { RecordProblem } from './hosts/build-host-records.js';
export { HostTableSync, TableOutOfSync } from './hosts/host-table-sync.js';
export type { SyncResult } from './hosts/host-table-sync.js';
export { hashConfig, canonicalJson } from './stable-hash.js';
export { CaddyAdminClient, CaddyAdminError } from './admin-client.js';
export type { CaddyAdminAddress, CaddyAdminClientOptions, CaddyHealth, LiveConfig } from './admin-client.js';
export { CaddyConfigPusher } from './config-pusher.js';
export type { CaddyConfigPusherOptions, PushOutcome, PusherStats } from './config-pusher.js';
export type { CaddyLogger } from './logger.js';
export { silentLogger } from './logger.js';

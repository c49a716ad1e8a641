import type { AdminConfig, CustomLog, StorageConfig } from '../caddy-config.js';

/** LETS_ENCRYPT_DIRECTORY is the default ACME directory (production). */
export const LETS_ENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';
/** ZEROSSL_DIRECTORY is ZeroSSL's ACME directory; Caddy derives EAB credentials from the email when none are given. */
export const ZEROSSL_DIRECTORY = 'https://acme.zerossl.com/v2/DV90';

/** AcmeOptions configures the issuer of every `tls: auto` domain. */
export interface AcmeOptions {
  /** `letsencrypt` (default), `zerossl`, or any ACME directory URL (tests: Pebble's `https://127.0.0.1:<p>/dir`). */
  directory?: 'letsencrypt' | 'zerossl' | { url: string };
  email?: string;
  /** PEM files Caddy trusts when talking to the ACME server (absolute paths as Caddy sees them). */
  trustedRootsPemFiles?: string[];
  externalAccount?: { keyId: string; macKey: string };
}

/** UpstreamOptions tunes the one `reverse_proxy` of the skeleton; defaults in DEFAULT_UPSTREAM_OPTIONS. */
export interface UpstreamOptions {
  /** How long a request keeps retrying a down upstream (webserver reload/restart) before a 502. */
  tryDuration?: string;
  tryInterval?: string;
  /** How long WebSockets survive a Caddy reload. */
  streamCloseDelay?: string;
  /**
   * How long a failed dial counts against a backend (health is kept per backend address, not per domain).
   * Kept short: a tenant has one backend, so "down" only turns retries into errors.
   */
  passiveFailDuration?: string;
  passiveMaxFails?: number;
}

/** DEFAULT_UPSTREAM_OPTIONS are the values used for every UpstreamOptions field the caller leaves out. */
export const DEFAULT_UPSTREAM_OPTIONS: Required<UpstreamOptions> = Object.freeze({
  tryDuration: '10s',
  tryInterval: '250ms',
  streamCloseDelay: '5m',
  passiveFailDuration: '2s',
  passiveMaxFails: 3,
});

/** BuildSkeletonOptions is everything buildSkeleton needs; plain data, so fixtures can be JSON. */
export interface BuildSkeletonOptions {
  /** Copied verbatim: the admin listener (a unix socket in a directory only the panel can enter). */
  admin: AdminConfig;
  /** Certificate storage. */
  storage: StorageConfig;
  /** The host table: its snapshot file, the directory every static root must be inside, the access logs' directory. */
  table: { snapshot: string; staticBase: string; logsDir: string; logRollSizeMb?: number; logRollKeep?: number };
  /** Listener host ('' = all interfaces) and ports; defaults 80/443. Tests use high loopback ports. */
  listen?: { host?: string; httpPort?: number; httpsPort?: number };
  acme?: AcmeOptions;
  upstream?: UpstreamOptions;
  /** Caddy's default log (process log); access logs never go there. */
  defaultLog?: CustomLog;
}

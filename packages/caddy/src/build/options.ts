import type { AdminConfig, CustomLog, StorageConfig } from '../caddy-config.js';
import type { DesiredEdge } from '../desired.js';

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

/** UpstreamOptions tunes every reverse_proxy Berth writes; defaults in DEFAULT_UPSTREAM_OPTIONS. */
export interface UpstreamOptions {
  healthCheckUri?: string;
  healthCheckInterval?: string;
  healthCheckTimeout?: string;
  /** How long a request keeps retrying a down upstream (webserver reload/restart) before a 502/503. */
  tryDuration?: string;
  tryInterval?: string;
  /** How long WebSockets survive a Caddy reload. */
  streamCloseDelay?: string;
  /**
   * How long a failed dial counts against the upstream. Kept short: with a single upstream a passive
   * "down" only turns retries into 503s, and it outlives the webserver's restart by up to this long.
   */
  passiveFailDuration?: string;
  passiveMaxFails?: number;
}

/** DEFAULT_UPSTREAM_OPTIONS are the values used for every UpstreamOptions field the caller leaves out. */
export const DEFAULT_UPSTREAM_OPTIONS: Required<UpstreamOptions> = Object.freeze({
  healthCheckUri: '/',
  healthCheckInterval: '30s',
  healthCheckTimeout: '5s',
  tryDuration: '10s',
  tryInterval: '250ms',
  streamCloseDelay: '5m',
  passiveFailDuration: '2s',
  passiveMaxFails: 3,
});

/** BuildCaddyConfigOptions is everything buildCaddyConfig needs; it is plain data so fixtures can be JSON. */
export interface BuildCaddyConfigOptions {
  desired: DesiredEdge;
  /** Copied verbatim: a full `POST /config/` replaces the admin block too, so it must equal the bootstrap one. */
  admin: AdminConfig;
  /** Copied verbatim (certificate storage), same reason as `admin`. */
  storage?: StorageConfig;
  /** Listener host ('' = all interfaces) and ports; defaults 80/443. Tests use high loopback ports. */
  listen?: { host?: string; httpPort?: number; httpsPort?: number };
  acme?: AcmeOptions;
  /**
   * When set, `tls: auto` certificates are obtained at the first handshake for the name, after Caddy asks
   * `GET <permissionEndpoint>?domain=<name>` (200 = allowed). Without it they are obtained at load.
   */
  onDemand?: { permissionEndpoint: string };
  upstream?: UpstreamOptions;
  /** Rolling of per-domain access log files. */
  accessLogs?: { rollSizeMb?: number; rollKeep?: number };
  /** Caddy's default log (process log); access logs are always excluded from it. */
  defaultLog?: CustomLog;
}

import type { CaddyConfig } from '../caddy-config.js';
import type { Handler } from '../http/handlers/handler.js';
import type { Route } from '../http/route.js';
import type { AcmeIssuer } from '../tls/issuers.js';
import {
  CaddyConfigInputError,
  assertAbsolutePath,
  assertDuration,
  assertEmail,
  assertPort,
  normalizeHttpUrl,
} from './assert-input.js';
import { DEFAULT_UPSTREAM_OPTIONS, LETS_ENCRYPT_DIRECTORY, ZEROSSL_DIRECTORY } from './options.js';
import type { AcmeOptions, BuildSkeletonOptions, UpstreamOptions } from './options.js';
import { NOT_FOUND_BODY, SUSPENDED_PAGE_HTML } from './pages.js';

const LISTEN_HOST_RE = /^(?:|(?:\d{1,3}\.){3}\d{1,3}|\[[0-9a-fA-F:]+\])$/;

/** SERVER_NAMES are the two servers of the skeleton; the HTTPS one is the marker that Berth's config is loaded. */
export const SERVER_NAMES = { https: 'berth-https', http: 'berth-http' } as const;

function resolveUpstreamOptions(upstream: UpstreamOptions | undefined): Required<UpstreamOptions> {
  const merged = { ...DEFAULT_UPSTREAM_OPTIONS, ...upstream };
  for (const key of ['tryDuration', 'tryInterval', 'streamCloseDelay', 'passiveFailDuration'] as const) {
    assertDuration({ field: `upstream.${key}`, value: merged[key] });
  }
  if (!Number.isInteger(merged.passiveMaxFails) || merged.passiveMaxFails < 1) {
    throw new CaddyConfigInputError({
      field: 'upstream.passiveMaxFails',
      value: merged.passiveMaxFails,
      reason: 'not a positive integer',
    });
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
  const issuer: AcmeIssuer = { ca };
  if (acme?.email !== undefined) {
    assertEmail({ field: 'acme.email', value: acme.email });
    issuer.email = acme.email;
  }
  if (directory === 'zerossl' && acme?.email === undefined && acme?.externalAccount === undefined) {
    throw new CaddyConfigInputError({
      field: 'acme.email',
      value: undefined,
      reason: 'ZeroSSL needs an email or external account binding',
    });
  }
  if (acme?.trustedRootsPemFiles !== undefined && acme.trustedRootsPemFiles.length > 0) {
    for (const file of acme.trustedRootsPemFiles)
      assertAbsolutePath({ field: 'acme.trustedRootsPemFiles', value: file });
    issuer.trusted_roots_pem_files = [...acme.trustedRootsPemFiles];
  }
  if (acme?.externalAccount !== undefined) {
    issuer.external_account = { key_id: acme.externalAccount.keyId, mac_key: acme.externalAccount.macKey };
  }
  return issuer;
}

/**
 * serverRoutes are the same three routes on both servers: the host lookup (which answers everything but
 * proxied hosts itself), static prefixes from disk (compressed), then the tenant's backend. The proxy's
 * upstream comes from the host record, so Caddy keeps one connection pool and one passive health state
 * per backend address, however many domains point at it.
 */
function serverRoutes(scheme: 'http' | 'https', upstream: Required<UpstreamOptions>): Route[] {
  const proxy: Handler = {
    handler: 'reverse_proxy',
    dynamic_upstreams: { source: 'berth' },
    // Caddy sets X-Forwarded-For/-Proto/-Host itself (replacing what an untrusted client sent) and keeps the
    // original Host; X-Real-IP is added for webservers configured the nginx way.
    headers: { request: { set: { 'X-Real-Ip': ['{http.request.remote.host}'] } } },
    health_checks: { passive: { fail_duration: upstream.passiveFailDuration, max_fails: upstream.passiveMaxFails } },
    load_balancing: { try_duration: upstream.tryDuration, try_interval: upstream.tryInterval },
    stream_close_delay: upstream.streamCloseDelay,
  };
  return [
    { handle: [{ handler: 'berth_host', scheme }] },
    {
      match: [{ berth_static: {} }],
      handle: [
        { handler: 'encode', encodings: { zstd: {}, gzip: {} }, prefer: ['zstd', 'gzip'] },
        { handler: 'berth_static' },
      ],
      terminal: true,
    },
    { handle: [proxy] },
  ];
}

/**
 * buildSkeleton builds Caddy's whole JSON config: a fixed skeleton that holds no host at all (a pure
 * function: same options, byte-identical output). Hosts live in Berth's host table, so adding, removing,
 * suspending or redirecting a domain never changes this config and never reloads Caddy; the config
 * changes only with the installation's own settings (ports, ACME directory, paths).
 *
 * TLS: one on-demand automation policy for every name. Issuance is allowed by `tls.permission.berth`
 * (the host table, no round trip to the panel, works while the panel is down), and `tls.issuance.berth`
 * picks the internal CA or ACME by the host's record; `tls.get_certificate.berth` serves an uploaded
 * certificate for its own hosts only. A name not in the table gets no certificate.
 *
 * @throws CaddyConfigInputError when an option is unsafe to write.
 */
export function buildSkeleton(options: BuildSkeletonOptions): CaddyConfig {
  const listenHost = options.listen?.host ?? '';
  if (!LISTEN_HOST_RE.test(listenHost))
    throw new CaddyConfigInputError({ field: 'listen.host', value: listenHost, reason: 'not an IP literal or empty' });
  const httpPort = options.listen?.httpPort ?? 80;
  const httpsPort = options.listen?.httpsPort ?? 443;
  assertPort({ field: 'listen.httpPort', value: httpPort });
  assertPort({ field: 'listen.httpsPort', value: httpsPort });
  assertAbsolutePath({ field: 'storage.root', value: options.storage.root });
  assertAbsolutePath({ field: 'table.snapshot', value: options.table.snapshot });
  assertAbsolutePath({ field: 'table.staticBase', value: options.table.staticBase });
  assertAbsolutePath({ field: 'table.logsDir', value: options.table.logsDir });
  const upstream = resolveUpstreamOptions(options.upstream);

  return {
    admin: options.admin,
    storage: options.storage,
    logging: {
      logs: {
        // Access logs go only to the table's per-host files, never to the process log.
        default: {
          ...options.defaultLog,
          exclude: [...new Set([...(options.defaultLog?.exclude ?? []), 'http.log.access'])].sort(),
        },
      },
    },
    apps: {
      berth: {
        snapshot: options.table.snapshot,
        static_base: options.table.staticBase,
        logs_dir: options.table.logsDir,
        log_roll_size_mb: options.table.logRollSizeMb ?? 50,
        log_roll_keep: options.table.logRollKeep ?? 5,
        http_port: httpPort,
        https_port: httpsPort,
        suspended_page: SUSPENDED_PAGE_HTML,
        not_found_body: NOT_FOUND_BODY,
      },
      http: {
        http_port: httpPort,
        https_port: httpsPort,
        servers: {
          [SERVER_NAMES.https]: {
            listen: [`${listenHost}:${httpsPort}`],
            tls_connection_policies: [{}],
            automatic_https: { disable_redirects: true },
            routes: serverRoutes('https', upstream),
          },
          [SERVER_NAMES.http]: { listen: [`${listenHost}:${httpPort}`], routes: serverRoutes('http', upstream) },
        },
      },
      tls: {
        automation: {
          policies: [
            {
              on_demand: true,
              issuers: [{ module: 'berth', internal: {}, acme: buildAcmeIssuer(options.acme) }],
              get_certificate: [{ via: 'berth' }],
            },
          ],
          on_demand: { permission: { module: 'berth' } },
        },
      },
      pki: { certificate_authorities: { local: { install_trust: false } } },
    },
  };
}

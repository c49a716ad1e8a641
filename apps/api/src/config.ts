import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** REPO_ROOT is the checkout the panel runs from; both src/ and dist/ sit two levels below apps/api. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const ZListen = z
  .string()
  .regex(/^(\[[0-9a-f:]+\]|[0-9.]+|localhost):\d{1,5}$/i, 'use HOST:PORT, for example 127.0.0.1:8080')
  .transform((value, ctx) => {
    const at = value.lastIndexOf(':');
    const port = Number(value.slice(at + 1));
    if (port < 1 || port > 65_535) ctx.addIssue({ code: 'custom', message: 'the port must be between 1 and 65535' });
    return { host: value.slice(0, at).replace(/^\[|\]$/g, ''), port };
  });

const ZPort = z.coerce
  .number()
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65_535, 'must be between 1 and 65535');

const ZPortRange = z
  .string()
  .regex(/^\d{4,5}-\d{4,5}$/, 'use FIRST-LAST, for example 20000-29999')
  .transform((value, ctx) => {
    const [first, last] = value.split('-').map(Number) as [number, number];
    if (first < 1024 || last > 65_535 || first >= last)
      ctx.addIssue({ code: 'custom', message: 'the range must be within 1024-65535 and FIRST < LAST' });
    return { first, last };
  });

const ZHostName = z
  .string()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be a host name with at least two labels, without scheme, port or path, for example panel.example.com',
  );

const ZEnv = z.object({
  BERTH_DATA_DIR: z.string().min(1).default('data'),
  BERTH_LISTEN: ZListen.prefault('127.0.0.1:8080'),
  DATABASE_URL: z
    .string()
    .regex(/^file:.+/, 'only file: URLs (embedded SQLite) are supported, for example file:/var/lib/berth/berth.db')
    .optional(),
  BERTH_ADMIN_EMAIL: z.email('must be an email address').optional(),
  BERTH_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(256).optional(),
  BERTH_HTTP_PORT: ZPort.default(80),
  BERTH_HTTPS_PORT: ZPort.default(443),
  BERTH_IMAGE_PROFILE: z.enum(['local', 'official'], { message: "must be 'local' or 'official'" }).default('local'),
  BERTH_PORT_RANGE: ZPortRange.prefault('20000-29999'),
  BERTH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BERTH_WEB_DIR: z.string().optional(),
  BERTH_EDGE: z
    .enum(['managed', 'external', 'off'], { message: "must be 'managed', 'external' or 'off'" })
    .default('managed'),
  BERTH_CADDY_ADMIN_SOCKET: z
    .string()
    .regex(/^\/[\w./-]+$/, "must be an absolute path to Caddy's admin unix socket")
    .optional(),
  BERTH_CADDY_STORAGE_DIR: z
    .string()
    .regex(/^\/[\w./-]+$/, 'must be an absolute path')
    .optional(),
  BERTH_ACME_EMAIL: z.email('must be an email address').optional(),
  BERTH_ACME_CA: z
    .string()
    .regex(
      /^(letsencrypt|zerossl|https:\/\/\S+)$/,
      "must be 'letsencrypt', 'zerossl' or an https:// ACME directory URL",
    )
    .default('letsencrypt'),
  BERTH_ACME_TRUSTED_ROOTS: z
    .string()
    .regex(/^(\/[\w./-]+)(,\/[\w./-]+)*$/, 'must be absolute PEM file paths separated by commas')
    .optional(),
  BERTH_TENANT_NETWORKS: z
    .string()
    .regex(
      /^(10|172|192)\.\d{1,3}\.\d{1,3}\.\d{1,3}\/(8|9|1[0-9]|2[0-4])$/,
      'must be a private IPv4 CIDR between /8 and /24, for example 10.208.0.0/12',
    )
    .default('10.208.0.0/12'),
  BERTH_RECONCILE_INTERVAL_S: z.coerce.number().int().min(5, 'at least 5 seconds').max(86_400).default(60),
  BERTH_SITE_PROBE_INTERVAL_S: z.coerce.number().int().min(1, 'at least 1 second').max(3_600).default(30),
  BERTH_PROVISION_TIMEOUT_S: z.coerce.number().int().min(10, 'at least 10 seconds').max(86_400).default(300),
  BERTH_READ_CACHE: z.enum(['on', 'off'], { message: "must be 'on' or 'off'" }).default('on'),
  BERTH_EGRESS: z.enum(['on', 'off'], { message: "must be 'on' or 'off'" }).default('on'),
  BERTH_PANEL_HOST: ZHostName.optional(),
  BERTH_DB_ADMIN_HOST: ZHostName.optional(),
  BERTH_DB_ADMIN_PORT: ZPort.optional(),
  BERTH_MARIADB_MEMORY_MB: z.coerce.number().int().min(128, 'at least 128').max(262_144).default(512),
  BERTH_POSTGRESQL_MEMORY_MB: z.coerce.number().int().min(64, 'at least 64').max(262_144).default(256),
  BERTH_REQUIRE_ADMIN_2FA: z.enum(['0', '1'], { message: "must be '0' or '1'" }).default('0'),
  BERTH_SFTP_PORT: ZPort.default(2222),
  BERTH_SFTP_BIND: z
    .string()
    .regex(/^([0-9.]+|\[?[0-9a-f:]+\]?)$/i, 'must be an IP address to listen on, for example 0.0.0.0 or 127.0.0.1')
    .default('0.0.0.0'),
  BERTH_SFTP_HOST: ZHostName.optional(),
  BERTH_BACKUP_REPO: z
    .string()
    .regex(/^\/[\w./-]+$/, 'must be an absolute directory path')
    .optional(),
  BERTH_BACKUP_HOUR: z.coerce.number().int().min(0, 'an hour 0-23 (UTC)').max(23, 'an hour 0-23 (UTC)').default(3),
  BERTH_BACKUP_TERMINATED_DAYS: z.coerce.number().int().min(0).max(3_650).default(30),
  NODE_ENV: z.string().optional(),
});

/** Config is the panel's validated configuration; every value comes from the environment. */
export interface Config {
  dataDir: string;
  listen: { host: string; port: number };
  databaseUrl: string;
  admin: { email: string; password: string | undefined };
  edgePorts: { http: number; https: number };
  imageProfile: 'local' | 'official';
  portRange: { first: number; last: number };
  logLevel: string;
  webDir: string;
  /** How Caddy is run: `managed` (a container the panel runs), `external` (its admin socket given), `off`. */
  edge: { mode: 'managed' | 'external' | 'off'; adminSocket: string; storageDir: string | undefined };
  acme: { email: string | undefined; directory: string; trustedRootsPemFiles: string[] };
  reconcileIntervalMs: number;
  /** How often each live or degraded site is probed through the edge (BERTH_SITE_PROBE_INTERVAL_S). */
  siteProbeIntervalMs: number;
  /** A site still pending or provisioning after this long becomes failed, with a Retry (BERTH_PROVISION_TIMEOUT_S). */
  provisionTimeoutMs: number;
  /** The private range tenant bridges are carved from, a /27 each. */
  tenantNetworks: string;
  /** Serve repeated GETs from memory until the next database write (BERTH_READ_CACHE=off to measure without). */
  readCache: boolean;
  /**
   * Filter tenant containers' egress with Berth's iptables chains (no private ranges, link-local, host or SMTP
   * unless the plan allows it). BERTH_EGRESS=off is for hosts where the panel cannot run iptables (not root,
   * Docker Desktop); tenants then reach everything the host does.
   */
  egress: boolean;
  /**
   * The console and API on their own HTTPS host name through the edge (BERTH_PANEL_HOST): its public URL is used
   * in links and the session cookie is Secure; `listen` stays for local use.
   */
  panel: { host: string | null; publicUrl: string | null };
  /**
   * phpMyAdmin and Adminer on BERTH_DB_ADMIN_HOST through the edge (`publicUrl`), served by a container on
   * 127.0.0.1:`port` (BERTH_DB_ADMIN_PORT, the panel's port + 1 by default).
   */
  dbAdmin: { host: string | null; publicUrl: string | null; port: number };
  /** Memory of the tenants' database servers (each started when its first database is created). */
  databaseServers: { mariadbMemoryMb: number; postgresqlMemoryMb: number };
  /** Administrators must use two-factor sign-in: until enrolled, their sessions may only enrol (BERTH_REQUIRE_ADMIN_2FA=1). */
  requireAdminTwoFactor: boolean;
  /**
   * SFTP (OpenSSH internal-sftp, one container): it listens on `bind`:`port` (BERTH_SFTP_BIND, BERTH_SFTP_PORT);
   * tenants are told to connect to `host` (BERTH_SFTP_HOST, else the panel's host, else this machine's name).
   */
  sftp: { bind: string; port: number; host: string };
  /**
   * Backups (restic): the repository directory (BERTH_BACKUP_REPO, else `<data dir>/backups/repo`), the hour
   * (UTC) scheduled backups start, and how many days a terminated tenant's snapshots are kept.
   */
  backups: { repo: string; hourUtc: number; terminatedDays: number };
  development: boolean;
}

/** ConfigError lists every bad environment value at once, one line each, so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** loadConfig validates the environment; it throws ConfigError naming each bad variable and how to fix it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ZEnv.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])])})`,
      ),
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(REPO_ROOT, e.BERTH_DATA_DIR);
  if ((e.BERTH_ADMIN_EMAIL === undefined) !== (e.BERTH_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(['BERTH_ADMIN_EMAIL and BERTH_ADMIN_PASSWORD: set both or neither']);
  }
  if (e.BERTH_HTTP_PORT === e.BERTH_HTTPS_PORT)
    throw new ConfigError(['BERTH_HTTP_PORT and BERTH_HTTPS_PORT must differ']);
  if (e.BERTH_EDGE === 'external' && !e.BERTH_CADDY_ADMIN_SOCKET)
    throw new ConfigError(['BERTH_CADDY_ADMIN_SOCKET: required when BERTH_EDGE=external']);
  const publicUrl = (host: string | undefined): string | null =>
    host === undefined ? null : `https://${host}${e.BERTH_HTTPS_PORT === 443 ? '' : `:${e.BERTH_HTTPS_PORT}`}`;
  if (e.BERTH_PANEL_HOST !== undefined && e.BERTH_PANEL_HOST === e.BERTH_DB_ADMIN_HOST)
    throw new ConfigError(['BERTH_PANEL_HOST and BERTH_DB_ADMIN_HOST must differ']);
  return {
    dataDir,
    listen: e.BERTH_LISTEN,
    databaseUrl: e.DATABASE_URL ?? `file:${path.join(dataDir, 'berth.db')}`,
    admin: { email: e.BERTH_ADMIN_EMAIL ?? 'admin@berth.localhost', password: e.BERTH_ADMIN_PASSWORD },
    edgePorts: { http: e.BERTH_HTTP_PORT, https: e.BERTH_HTTPS_PORT },
    imageProfile: e.BERTH_IMAGE_PROFILE,
    portRange: e.BERTH_PORT_RANGE,
    logLevel: e.BERTH_LOG_LEVEL,
    webDir: path.resolve(REPO_ROOT, e.BERTH_WEB_DIR ?? 'apps/web/dist'),
    edge: { mode: e.BERTH_EDGE, adminSocket: e.BERTH_CADDY_ADMIN_SOCKET ?? '', storageDir: e.BERTH_CADDY_STORAGE_DIR },
    acme: {
      email: e.BERTH_ACME_EMAIL,
      directory: e.BERTH_ACME_CA,
      trustedRootsPemFiles: e.BERTH_ACME_TRUSTED_ROOTS?.split(',') ?? [],
    },
    reconcileIntervalMs: e.BERTH_RECONCILE_INTERVAL_S * 1000,
    siteProbeIntervalMs: e.BERTH_SITE_PROBE_INTERVAL_S * 1000,
    provisionTimeoutMs: e.BERTH_PROVISION_TIMEOUT_S * 1000,
    tenantNetworks: e.BERTH_TENANT_NETWORKS,
    readCache: e.BERTH_READ_CACHE === 'on',
    egress: e.BERTH_EGRESS === 'on',
    requireAdminTwoFactor: e.BERTH_REQUIRE_ADMIN_2FA === '1',
    panel: { host: e.BERTH_PANEL_HOST ?? null, publicUrl: publicUrl(e.BERTH_PANEL_HOST) },
    dbAdmin: {
      host: e.BERTH_DB_ADMIN_HOST ?? null,
      publicUrl: publicUrl(e.BERTH_DB_ADMIN_HOST),
      port: e.BERTH_DB_ADMIN_PORT ?? Math.min(65_535, e.BERTH_LISTEN.port + 1),
    },
    databaseServers: {
      mariadbMemoryMb: e.BERTH_MARIADB_MEMORY_MB,
      postgresqlMemoryMb: e.BERTH_POSTGRESQL_MEMORY_MB,
    },
    sftp: {
      bind: e.BERTH_SFTP_BIND.replace(/^\[|\]$/g, ''),
      port: e.BERTH_SFTP_PORT,
      host: e.BERTH_SFTP_HOST ?? e.BERTH_PANEL_HOST ?? os.hostname(),
    },
    backups: {
      repo: e.BERTH_BACKUP_REPO ?? path.join(dataDir, 'backups', 'repo'),
      hourUtc: e.BERTH_BACKUP_HOUR,
      terminatedDays: e.BERTH_BACKUP_TERMINATED_DAYS,
    },
    development: e.NODE_ENV === 'development',
  };
}

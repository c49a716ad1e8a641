import { createHash } from 'node:crypto';
import { RuntimeError } from '../errors.js';
import { assertDatabaseEngine, type DatabaseEngine } from '../catalog.js';
import { assertSqlName } from './database-server.config.js';

// The pure half of the database admin tools (phpMyAdmin for MariaDB, Adminer for PostgreSQL): what the runtime and
// docker/images/dbadmin/ agree on, and the single sign-on tickets the panel hands the container through files.

/**
 * DbAdminContract is what docker/images/dbadmin/ promises and the runtime relies on (see the header of its
 * Dockerfile): the fixed uid that owns the bound ticket and config dirs, the port Apache listens on, and where
 * the runtime's binds go.
 */
export interface DbAdminContract {
  uid: number;
  gid: number;
  /** Apache's HTTP port inside the container (published on 127.0.0.1 only). */
  port: number;
  /** The ticket dir (read-write): the container claims and deletes tickets there. */
  ssoPath: string;
  /** The runtime's generated secrets (read-only): `configFile` in it. */
  configDirPath: string;
  configFile: string;
  /** A tmpfs for Apache's pid file and mutex and each tool's sessions. */
  runDirPath: string;
}

/** DB_ADMIN is the contract of berth/dbadmin. */
export const DB_ADMIN: Readonly<DbAdminContract> = {
  uid: 1993,
  gid: 1993,
  port: 8080,
  ssoPath: '/run/berth-sso',
  configDirPath: '/etc/berth/dbadmin',
  configFile: 'dbadmin.json',
  runDirPath: '/run/berth-dbadmin',
};

/**
 * SSO_TOKEN_RE is the shape sso.php accepts for a token (the panel's are 32 random bytes in base64url, 43
 * characters); anything else is refused before any file is looked at.
 */
export const SSO_TOKEN_RE = /^[A-Za-z0-9_-]{32,128}$/;

/**
 * TICKET_TTL_SECONDS bounds a ticket's life: long enough for a browser to follow the panel's redirect on a slow
 * link, short enough that a link found later in a history or a log is worthless.
 */
export const TICKET_TTL_SECONDS = { min: 10, max: 600 } as const;

/** TICKET_FILE_RE matches a ticket's file name, `<sha256 hex of the token>.json`. */
export const TICKET_FILE_RE = /^[0-9a-f]{64}\.json$/;

/**
 * MAX_PASSWORD_LENGTH keeps a ticket far below the 16 KiB sso.php reads (a password is JSON-escaped, at most six
 * bytes per character).
 */
const MAX_PASSWORD_LENGTH = 1024;

/** LONE_SURROGATE_RE finds a UTF-16 surrogate without its pair: PHP's json_decode refuses it, so nobody could sign in. */
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function refuse(what: string, value: unknown, why: string): never {
  throw new RuntimeError('INVALID_INPUT', `Invalid ${what} ${JSON.stringify(value)}: ${why}.`, {
    details: { what, value },
  });
}

/** assertSsoToken accepts a token of the shape sso.php accepts (SSO_TOKEN_RE). */
export function assertSsoToken(token: string): string {
  if (typeof token !== 'string' || !SSO_TOKEN_RE.test(token))
    refuse('single sign-on token', '(hidden)', 'use 32–128 of A–Z, a–z, 0–9, _ and -');
  return token;
}

/**
 * ticketFileName is the file a ticket for `token` lives in: `<sha256 hex of the token>.json`. The token itself is
 * written nowhere on disk, so reading the ticket dir does not give anybody a usable link.
 */
export function ticketFileName(token: string): string {
  return `${createHash('sha256').update(assertSsoToken(token)).digest('hex')}.json`;
}

/** ssoPath is the URL path that signs a browser in with `token` (on the database admin tools' host). */
export function ssoPath(token: string): string {
  return `/sso/${assertSsoToken(token)}`;
}

/** DbAdminTicketInput is what a sign-in is for: an engine's user, its password, the database to open, and how long the link lives. */
export interface DbAdminTicketInput {
  engine: DatabaseEngine;
  user: string;
  password: string;
  /** The database to open. Required for PostgreSQL (pg_hba admits a tenant's role to its own database only). */
  database?: string | undefined;
  ttlSeconds: number;
}

/**
 * DbAdminTicket is the JSON of a ticket file, exactly as sso.php reads it; `expiresAt` is in Unix seconds (the
 * container and the panel share the host's clock).
 */
export interface DbAdminTicket {
  engine: DatabaseEngine;
  user: string;
  password: string;
  database?: string;
  expiresAt: number;
}

/**
 * buildDbAdminTicket validates a sign-in and returns its ticket, expiring `ttlSeconds` after `now`. The user and
 * database must be names the panel creates (assertSqlName: sso.php checks the same shape again), the password
 * non-empty text sso.php can read back; INVALID_INPUT otherwise.
 */
export function buildDbAdminTicket(input: DbAdminTicketInput, now: Date): DbAdminTicket {
  const engine = assertDatabaseEngine(input.engine);
  const user = assertSqlName(engine, input.user);
  const { password } = input;
  if (typeof password !== 'string' || password === '') refuse('password', '(hidden)', 'it must be non-empty text');
  if (password.includes('\0')) refuse('password', '(hidden)', 'it contains NUL');
  if (password.length > MAX_PASSWORD_LENGTH)
    refuse('password', '(hidden)', `it is longer than ${MAX_PASSWORD_LENGTH} characters`);
  if (LONE_SURROGATE_RE.test(password)) refuse('password', '(hidden)', 'it contains an unpaired UTF-16 surrogate');
  const database = input.database === undefined ? undefined : assertSqlName(engine, input.database);
  if (engine === 'postgresql' && database === undefined)
    refuse('database', input.database, 'a PostgreSQL sign-in needs the database to open (its user may open no other)');
  const ttl = input.ttlSeconds;
  if (!Number.isInteger(ttl) || ttl < TICKET_TTL_SECONDS.min || ttl > TICKET_TTL_SECONDS.max)
    refuse('ticket lifetime', ttl, `use ${TICKET_TTL_SECONDS.min}–${TICKET_TTL_SECONDS.max} seconds`);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!Number.isFinite(nowSeconds)) refuse('current time', now, 'not a valid date');
  return { engine, user, password, ...(database === undefined ? {} : { database }), expiresAt: nowSeconds + ttl };
}

/** renderDbAdminTicket is a ticket file's text. */
export function renderDbAdminTicket(ticket: DbAdminTicket): string {
  return `${JSON.stringify(ticket)}\n`;
}

/**
 * ticketExpiry reads a ticket file's `expiresAt` (Unix seconds) for the sweeper; undefined when the text is no
 * ticket at all (such a file can sign nobody in either).
 */
export function ticketExpiry(text: string): number | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object') return undefined;
    const expiresAt = (value as { expiresAt?: unknown }).expiresAt;
    return Number.isInteger(expiresAt) ? (expiresAt as number) : undefined;
  } catch {
    return undefined;
  }
}

/** DbAdminSecrets are generated once per installation and kept: phpMyAdmin's cookie encryption key (32 bytes, hex). */
export interface DbAdminSecrets {
  blowfishSecretHex: string;
}

const SECRET_HEX_RE = /^[0-9a-f]{64}$/;

/** renderDbAdminSecrets is the text of DB_ADMIN.configFile (config.inc.php reads the same field, same shape). */
export function renderDbAdminSecrets(secrets: DbAdminSecrets): string {
  if (!SECRET_HEX_RE.test(secrets.blowfishSecretHex))
    refuse('blowfish secret', '(hidden)', 'use 64 lowercase hex digits');
  return `${JSON.stringify({ blowfishSecretHex: secrets.blowfishSecretHex })}\n`;
}

/** parseDbAdminSecrets reads a secrets file back; undefined when it is not one (it is then generated anew). */
export function parseDbAdminSecrets(text: string): DbAdminSecrets | undefined {
  try {
    const value = JSON.parse(text) as { blowfishSecretHex?: unknown } | null;
    const hex = value?.blowfishSecretHex;
    return typeof hex === 'string' && SECRET_HEX_RE.test(hex) ? { blowfishSecretHex: hex } : undefined;
  } catch {
    return undefined;
  }
}

/** dbAdminNetworkName is the tools' own bridge, `berth-<installation>-dbadmin`. */
export function dbAdminNetworkName(instance: string): string {
  // The characters Docker allows in a name; the id is usually 12 hex digits (createDockerDriver).
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(instance))
    refuse('installation id', instance, 'use A–Z, a–z, 0–9, _, . and -');
  return `berth-${instance}-dbadmin`;
}

import { randomBytes } from 'node:crypto';
import { RuntimeError } from '../errors.js';
import { assertHostname, assertPort } from '../inputs.guard.js';
import { assertSqlName } from './database-server.config.js';

/** WpConfigInput is what a site's wp-config.php needs: its database account and the address visitors use. */
export interface WpConfigInput {
  dbName: string;
  dbUser: string;
  dbPassword: string;
  /** WordPress's table prefix (default `wp_`): letters, digits and `_`. */
  tablePrefix?: string;
  /** `https://<hostname>` (or `http://`), no port, path or query: WP_HOME and WP_SITEURL. */
  siteUrl: string;
}

/** WP_DEFAULT_TABLE_PREFIX is the prefix a site gets unless the caller names one. */
export const WP_DEFAULT_TABLE_PREFIX = 'wp_';

/** WP_SALT_NAMES are WordPress's eight authentication keys and salts, each 64 random printable characters. */
export const WP_SALT_NAMES = [
  'AUTH_KEY',
  'SECURE_AUTH_KEY',
  'LOGGED_IN_KEY',
  'NONCE_KEY',
  'AUTH_SALT',
  'SECURE_AUTH_SALT',
  'LOGGED_IN_SALT',
  'NONCE_SALT',
] as const;

function refuse(what: string, why: string): never {
  throw new RuntimeError('INVALID_INPUT', `Invalid ${what}: ${why}.`, { details: { what } });
}

/** LONE_SURROGATE_RE finds a UTF-16 surrogate without its pair (it cannot be written as UTF-8). */
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * phpSingleQuoted returns text as a PHP single-quoted string literal. In such a literal only `\\` and `\'` are
 * escapes, so escaping every `\` and `'` makes PHP read back exactly the text given: `$`, `{` and everything
 * else are plain characters there (no interpolation). NUL, line breaks and unpaired UTF-16 surrogates are
 * refused: none belongs in a password or a name, and a line break would make the file harder to edit safely.
 */
export function phpSingleQuoted(value: string, what: string): string {
  if (typeof value !== 'string') refuse(what, 'not text');
  if (value.includes('\0')) refuse(what, 'contains a NUL character');
  if (/[\r\n]/.test(value)) refuse(what, 'contains a line break');
  if (LONE_SURROGATE_RE.test(value)) refuse(what, 'contains an unpaired UTF-16 surrogate');
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * assertSiteUrl accepts `https://<hostname>[:<port>]` or `http://<hostname>[:<port>]` (a lowercase RFC 1123
 * hostname, the edge's port when it is not the scheme's own, an optional trailing `/`) and returns it without the
 * slash: WordPress's home and site address. A user, path, query or fragment is refused: Berth serves every site
 * at the root of its own hostnames.
 */
export function assertSiteUrl(value: string): string {
  if (typeof value !== 'string') refuse('site URL', 'not text');
  const m = /^(https?):\/\/([^/?#@:\s]+)(?::(\d{1,5}))?\/?$/.exec(value);
  if (!m)
    refuse('site URL', `${JSON.stringify(value)} is not https://<hostname>[:<port>] or http://<hostname>[:<port>]`);
  const port = m[3] === undefined ? '' : `:${assertPort(Number(m[3]), 'site URL port')}`;
  return `${m[1]}://${assertHostname(m[2] as string)}${port}`;
}

/** assertTablePrefix accepts WordPress's own rule for `$table_prefix` (letters, digits, `_`), 1–32 characters. */
export function assertTablePrefix(value: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_]{1,32}$/.test(value))
    refuse('table prefix', `${JSON.stringify(value)}: use 1–32 letters, digits or _ (e.g. "wp_")`);
  return value;
}

/** wpSalt is one key or salt: 48 random bytes as base64url, i.e. 64 characters from [A-Za-z0-9_-]. */
function wpSalt(random: (size: number) => Buffer): string {
  return random(48).toString('base64url');
}

/**
 * renderWpConfig builds a site's wp-config.php: the database through the MariaDB socket (`DB_HOST` 'localhost',
 * utf8mb4), eight fresh keys and salts, WP_HOME/WP_SITEURL fixed to `siteUrl`, HTTPS recognised behind Berth's
 * proxies (Caddy terminates TLS and says so in X-Forwarded-Proto), direct file writes (the site's files belong
 * to the uid PHP-FPM runs as), no debug output, WordPress's own cron on. Every value is a PHP single-quoted
 * literal (phpSingleQuoted). `random` is for tests; it defaults to crypto.randomBytes.
 */
export function renderWpConfig(input: WpConfigInput, random: (size: number) => Buffer = randomBytes): string {
  const q = phpSingleQuoted;
  const dbName = q(assertSqlName('mariadb', input.dbName), 'database name');
  const dbUser = q(assertSqlName('mariadb', input.dbUser), 'database user');
  if (typeof input.dbPassword !== 'string' || input.dbPassword === '') refuse('database password', 'empty');
  const dbPassword = q(input.dbPassword, 'database password');
  const prefix = q(assertTablePrefix(input.tablePrefix ?? WP_DEFAULT_TABLE_PREFIX), 'table prefix');
  const siteUrl = assertSiteUrl(input.siteUrl);
  const url = q(siteUrl, 'site URL');
  // An edge on another port than the scheme's own: the webserver gets the Host without it, the proxies keep the
  // address visitors used in X-Forwarded-Host; that exact address (and no other) is the request's host then.
  const authority = siteUrl.replace(/^https?:\/\//, '');
  const hostWithPort = authority.includes(':')
    ? `if ( ( $_SERVER['HTTP_X_FORWARDED_HOST'] ?? '' ) === ${q(authority, 'site address')} ) {
	$_SERVER['HTTP_HOST'] = ${q(authority, 'site address')};
}
`
    : '';
  const salts = WP_SALT_NAMES.map((name) => `define( '${name}', ${q(wpSalt(random), name)} );`).join('\n');
  return `<?php
/**
 * WordPress configuration, written by Berth when it installed this site. It is yours from now on: Berth never
 * writes it again. If the site's address changes, change WP_HOME and WP_SITEURL below.
 */

// The database, through the MariaDB server's socket (/run/mysqld/mysqld.sock in the site's PHP container).
define( 'DB_NAME', ${dbName} );
define( 'DB_USER', ${dbUser} );
define( 'DB_PASSWORD', ${dbPassword} );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );

// Authentication keys and salts: changing them signs every user out.
${salts}

$table_prefix = ${prefix};

define( 'WP_HOME', ${url} );
define( 'WP_SITEURL', ${url} );

// Visitors reach the site over HTTPS through Berth's proxies, which talk plain HTTP to it and say so.
if ( ( $_SERVER['HTTP_X_FORWARDED_PROTO'] ?? '' ) === 'https' ) {
	$_SERVER['HTTPS'] = 'on';
}
${hostWithPort}
// The site's files belong to the user PHP runs as: updates and uploads write them directly.
define( 'FS_METHOD', 'direct' );
define( 'WP_DEBUG', false );
define( 'DISABLE_WP_CRON', false );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
`;
}

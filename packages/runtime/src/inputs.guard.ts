import { RuntimeError } from './errors.js';
import { PHP_VERSIONS, isCatalogVersion, type TPhpVersion } from './contracts.js';

// Every value that ends up inside a config file, a container name or a label passes one of these asserts,
// even though the API validated it already: a generator must never be the place where text is injected.

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PATH_SEGMENT_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function fail(what: string, value: unknown): never {
  throw new RuntimeError('INVALID_INPUT', `Invalid ${what}: ${JSON.stringify(value)}; fix the value and retry.`, {
    details: { what, value },
  });
}

/** assertSlug accepts tenant and site ids: a lowercase RFC 1123 label of at most 40 characters. */
export function assertSlug(value: string, what = 'slug'): string {
  if (typeof value !== 'string' || !SLUG_RE.test(value)) fail(what, value);
  return value;
}

/** assertHostname accepts a lowercase RFC 1123 hostname (labels of 1–63 chars, 253 chars total, no trailing dot). */
export function assertHostname(value: string): string {
  if (typeof value !== 'string' || value.length > 253) fail('hostname', value);
  const labels = value.split('.');
  if (!labels.every((l) => LABEL_RE.test(l))) fail('hostname', value);
  return value;
}

/** assertDocumentRoot accepts '' or a relative path of plain segments (no `..`, no dot-first segment). */
export function assertDocumentRoot(value: string): string {
  if (typeof value !== 'string') fail('document root', value);
  if (value === '') return value;
  if (value.length > 255 || !value.split('/').every((s) => PATH_SEGMENT_RE.test(s))) fail('document root', value);
  return value;
}

/** assertPort accepts a TCP port 1–65535 (integer). */
export function assertPort(value: number, what = 'port'): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) fail(what, value);
  return value;
}

/** assertUid accepts a non-root uid/gid (1–2^31): tenant processes never run as root. */
export function assertUid(value: number, what = 'uid'): number {
  if (!Number.isInteger(value) || value < 1 || value > 2_147_483_647) fail(what, value);
  return value;
}

/** assertPositiveInt accepts an integer ≥ min. */
export function assertPositiveInt(value: number, what: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) fail(what, value);
  return value;
}

/** assertPhpVersion accepts only versions of the shared runtime catalog. */
export function assertPhpVersion(value: string): TPhpVersion {
  if (!(PHP_VERSIONS as readonly string[]).includes(value)) fail('PHP version', value);
  return value as TPhpVersion;
}

/** assertAppVersion accepts only catalog versions of node/python. */
export function assertAppVersion(kind: 'node' | 'python', value: string): string {
  if (!isCatalogVersion(kind, value)) fail(`${kind} version`, value);
  return value;
}

/** assertEnvName accepts a POSIX-style environment variable name. */
export function assertEnvName(value: string): string {
  if (!ENV_NAME_RE.test(value)) fail('environment variable name', value);
  return value;
}

/** assertIpv4 accepts a dotted-quad IPv4 address (used in Varnish ACLs). */
export function assertIpv4(value: string): string {
  if (typeof value !== 'string' || !IPV4_RE.test(value)) fail('IPv4 address', value);
  return value;
}

/**
 * assertInterfaceName accepts a Linux network interface name (1–15 characters) that iptables reads literally:
 * letters, digits, `_`, `.` and `-` only, so never its `+` wildcard, a `!` or a space.
 */
export function assertInterfaceName(value: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(value))
    fail('network interface name', value);
  return value;
}

/** assertToken accepts a hex secret of 32–128 characters (the Varnish purge token). */
export function assertToken(value: string): string {
  if (typeof value !== 'string' || !/^[a-f0-9]{32,128}$/.test(value)) fail('token', value);
  return value;
}

/**
 * assertBanRegex accepts a URL regex for a cache ban: printable ASCII without quotes, spaces or braces that
 * could end the VCL/ban string it is placed in.
 */
export function assertBanRegex(value: string): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 512 ||
    !/^[\x21-\x7e]+$/.test(value) ||
    /["{}]/.test(value)
  ) {
    fail('URL regex', value);
  }
  try {
    new RegExp(value);
  } catch (cause) {
    throw new RuntimeError('INVALID_INPUT', `Invalid URL regex ${JSON.stringify(value)}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return value;
}

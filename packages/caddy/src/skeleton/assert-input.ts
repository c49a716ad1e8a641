import { posix } from 'node:path';

/**
 * CaddyConfigInputError is thrown by the builder when an input that should have been validated upstream
 * (API + contracts) is unsafe to put into Caddy's config. It is a programming error, not a user error: the
 * builder refuses to produce a config rather than write something Caddy would interpret (placeholders in
 * paths, `..`, wildcard hosts, out-of-range ports).
 */
export class CaddyConfigInputError extends Error {
  override readonly name = 'CaddyConfigInputError';
  readonly field: string;
  readonly value: unknown;

  constructor({ field, value, reason }: { field: string; value: unknown; reason: string }) {
    super(`invalid ${field} ${JSON.stringify(value)}: ${reason}`);
    this.field = field;
    this.value = value;
  }
}

const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const EMAIL_RE = /^[^\s@{}]+@[^\s@{}]+\.[^\s@{}]+$/;

/** assertPort accepts an integer in 1..65535. */
export function assertPort({ field, value }: { field: string; value: number }): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new CaddyConfigInputError({ field, value, reason: 'not an integer port in 1..65535' });
  }
}

/**
 * assertAbsolutePath accepts normalised absolute POSIX paths. `{`/`}` are refused because Caddy expands
 * placeholders in `root` and file names; `..`, `.` and `//` are refused by requiring normalised input.
 */
export function assertAbsolutePath({ field, value }: { field: string; value: string }): void {
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new CaddyConfigInputError({ field, value, reason: 'not an absolute path' });
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f{}\\]/.test(value)) {
    throw new CaddyConfigInputError({ field, value, reason: 'contains control characters, braces or backslashes' });
  }
  const trimmed = value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value;
  if (posix.normalize(trimmed) !== trimmed || trimmed.split('/').includes('..')) {
    throw new CaddyConfigInputError({ field, value, reason: 'not normalised (.., . or //)' });
  }
}

/** assertDuration accepts Go duration strings (`250ms`, `5m`, `1h30m`). */
export function assertDuration({ field, value }: { field: string; value: string }): void {
  if (typeof value !== 'string' || !DURATION_RE.test(value)) {
    throw new CaddyConfigInputError({ field, value, reason: 'not a duration like 30s' });
  }
}

/** assertEmail is a sanity check only (Caddy/ACME validate further); it refuses placeholders and spaces. */
export function assertEmail({ field, value }: { field: string; value: string }): void {
  if (typeof value !== 'string' || value.length > 254 || !EMAIL_RE.test(value)) {
    throw new CaddyConfigInputError({ field, value, reason: 'not an email address' });
  }
}

/**
 * normalizeHttpUrl returns the WHATWG-normalised form of an absolute http(s) URL (which percent-encodes
 * braces, so the result can't smuggle Caddy placeholders) and throws on anything else.
 */
export function normalizeHttpUrl({ field, value }: { field: string; value: string }): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new CaddyConfigInputError({ field, value, reason: `not a URL (${(cause as Error).message})` });
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.username || url.password) {
    throw new CaddyConfigInputError({ field, value, reason: 'not an absolute http(s) URL without credentials' });
  }
  if (/[{}\s]/.test(url.href)) throw new CaddyConfigInputError({ field, value, reason: 'contains braces or spaces' });
  return url.href;
}

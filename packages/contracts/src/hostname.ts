/**
 * Hostname validation shared by the API, the console and billing clients. A hostname that passes
 * `normalizeHostname` is safe to place in Caddy JSON, nginx/apache configs and VCL: lowercase ASCII
 * (IDN converted to punycode), RFC 1123 labels, at most 253 characters, no trailing dot, no wildcard
 * unless explicitly allowed.
 */

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Anything other than letters, digits, hyphen, dot and '*' is refused before IDN conversion, because
// the WHATWG URL parser silently drops tabs and newlines ("a.com\n}" would become "a.com}").
const ALLOWED_INPUT = /^[\p{L}\p{M}\p{N}.*-]+$/u;

/** HOSTNAME_PATTERN matches a normalized, non-wildcard hostname; generators assert it before writing a config. */
export const HOSTNAME_PATTERN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export type THostnameResult = { ok: true; hostname: string } | { ok: false; reason: string };

/** normalizeHostname turns user input into a canonical hostname or says in plain words what is wrong. */
export function normalizeHostname(input: string, opts: { allowWildcard?: boolean } = {}): THostnameResult {
  if (input.length === 0) return { ok: false, reason: 'Enter a hostname such as example.com.' };
  if (input.length > 253) return { ok: false, reason: 'A hostname is at most 253 characters long.' };
  if (!ALLOWED_INPUT.test(input)) {
    return {
      ok: false,
      reason:
        'A hostname may only contain letters, digits, hyphens and dots (no spaces, slashes, ports or other symbols).',
    };
  }
  let host = input.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  let wildcard = false;
  if (host.startsWith('*.')) {
    if (!opts.allowWildcard) return { ok: false, reason: 'Wildcard hostnames (*.example.com) are not allowed here.' };
    wildcard = true;
    host = host.slice(2);
  }
  if (host.includes('*')) return { ok: false, reason: "'*' is only allowed as the whole first label (*.example.com)." };
  let ascii: string;
  try {
    ascii = new URL(`http://${host}/`).hostname;
  } catch {
    return {
      ok: false,
      reason:
        'This is not a valid hostname (check for empty labels, invalid international characters or bad xn-- labels).',
    };
  }
  if (ascii !== host && /^[a-z0-9.-]*$/.test(host)) {
    return { ok: false, reason: 'This is not a valid hostname.' };
  }
  const labels = ascii.split('.');
  if (labels.length < 2)
    return { ok: false, reason: 'Use a fully qualified hostname with at least two labels, such as example.com.' };
  for (const label of labels) {
    if (label.length === 0) return { ok: false, reason: 'A hostname cannot contain empty labels (two dots in a row).' };
    if (label.length > 63)
      return { ok: false, reason: `The label "${label.slice(0, 20)}…" is longer than 63 characters.` };
    if (!LABEL.test(label)) {
      return {
        ok: false,
        reason: `The label "${label}" must start and end with a letter or digit and contain only letters, digits and hyphens.`,
      };
    }
    if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
      return {
        ok: false,
        reason: `The label "${label}" has "--" in positions 3-4, which is reserved for xn-- labels.`,
      };
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!))
    return { ok: false, reason: 'IP addresses are not hostnames; use a domain name.' };
  const full = (wildcard ? '*.' : '') + ascii;
  if (full.length > 253) return { ok: false, reason: 'A hostname is at most 253 characters long.' };
  return { ok: true, hostname: full };
}

/** WWW_REDIRECTS: also answer the www twin (or apex twin) of a hostname and redirect it to the hostname. */
export const WWW_REDIRECTS = ['none', 'www-to-apex', 'apex-to-www'] as const;
/** TWwwRedirect pairs a domain with its `www.` twin (see resolveDomainHosts). */
export type TWwwRedirect = (typeof WWW_REDIRECTS)[number];

/** DomainHosts are the names one domain answers to and the one it canonicalises to. */
export interface DomainHosts {
  /** Every host of the domain (hostname, plus its www twin when a www redirect is set). */
  all: string[];
  /** The host that serves content (the others redirect to it). */
  canonical: string;
  /** The host that only redirects to `canonical`, if any. */
  redirecting?: string;
}

/**
 * resolveDomainHosts applies a www redirect to a hostname typed with or without `www.`: `www-to-apex` serves
 * the apex and 301-redirects `www.<apex>` to it, `apex-to-www` the other way round, `none` serves only the
 * hostname as typed. This is the one place the www-twin rule is decided (API checks, webserver names, edge).
 */
export function resolveDomainHosts(domain: { hostname: string; wwwRedirect: TWwwRedirect }): DomainHosts {
  if (domain.wwwRedirect === 'none') return { all: [domain.hostname], canonical: domain.hostname };
  const apex = domain.hostname.startsWith('www.') ? domain.hostname.slice(4) : domain.hostname;
  const www = `www.${apex}`;
  return domain.wwwRedirect === 'www-to-apex'
    ? { all: [apex, www], canonical: apex, redirecting: www }
    : { all: [apex, www], canonical: www, redirecting: apex };
}

/**
 * wwwTwinProblem says why a www redirect cannot be set on a hostname, or null when it can: the twin of
 * `www.example` (`example`) is not a fully qualified name.
 */
export function wwwTwinProblem(hostname: string, wwwRedirect: TWwwRedirect): string | null {
  if (wwwRedirect === 'none') return null;
  const { all } = resolveDomainHosts({ hostname, wwwRedirect });
  for (const host of all) {
    if (!HOSTNAME_PATTERN.test(host) || host.split('.').length < 2)
      return `The www twin "${host}" of ${hostname} is not a valid hostname; choose "none".`;
  }
  return null;
}

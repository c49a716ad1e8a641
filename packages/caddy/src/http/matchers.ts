/**
 * Request matchers (`http.matchers.*`). A MatcherSet is one object of a route's `match` array: its keys are
 * matcher module names and are ANDed; the sets of one route are ORed. Caddy keys them by module name rather
 * than by a `match` field, so only the modules Berth writes are typed here.
 */
export interface MatcherSet {
  /** `http.matchers.host`: exact hostnames (Berth never writes wildcards). */
  host?: string[];
  /** `http.matchers.path`: path globs such as `/static/*`. */
  path?: string[];
}

/** matchHosts builds a host matcher set; hosts are sorted so equal inputs give byte-equal configs. */
export function matchHosts(hosts: readonly string[]): MatcherSet {
  return { host: [...hosts].sort() };
}

/** matchPathPrefix matches `<prefix>/*` (not `<prefix>` itself), like the Caddyfile's `handle_path <prefix>/*`. */
export function matchPathPrefix(prefix: string): MatcherSet {
  return { path: [`${prefix}/*`] };
}

/**
 * MatcherSet mirrors one element of a route's `match` list. `berth_static` (Berth's module) is true when
 * the request's path is under one of its host record's static prefixes.
 */
export interface MatcherSet {
  berth_static?: Record<string, never>;
}

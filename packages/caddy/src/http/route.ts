import type { Handler } from './handlers/handler.js';
import type { MatcherSet } from './matchers.js';

/** Route mirrors `caddyhttp.Route`: match sets are ORed, handlers run in order as a middleware chain. */
export interface Route {
  '@id'?: string;
  match?: MatcherSet[];
  handle: Handler[];
  terminal?: boolean;
}

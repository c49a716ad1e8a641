import type { BerthHostHandler, BerthStaticHandler } from './berth.js';
import type { EncodeHandler } from './encode.js';
import type { ReverseProxyHandler } from './reverse-proxy.js';

/** Handler is a member of a route's `handle` list, discriminated on Caddy's `handler` module name. */
export type Handler = BerthHostHandler | BerthStaticHandler | EncodeHandler | ReverseProxyHandler;

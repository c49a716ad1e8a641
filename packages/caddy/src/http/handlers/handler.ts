import type { EncodeHandler } from './encode.js';
import type { FileServerHandler } from './file-server.js';
import type { ReverseProxyHandler } from './reverse-proxy.js';
import type { RewriteHandler } from './rewrite.js';
import type { StaticResponseHandler } from './static-response.js';
import type { SubrouteHandler } from './subroute.js';

/** Handler is every `http.handlers.*` module Berth writes, discriminated on Caddy's `handler` key. */
export type Handler =
  | EncodeHandler
  | FileServerHandler
  | ReverseProxyHandler
  | RewriteHandler
  | StaticResponseHandler
  | SubrouteHandler;

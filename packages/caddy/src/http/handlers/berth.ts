/**
 * BerthHostHandler mirrors `http.handlers.berth_host` (Berth's module): it looks the request's host up in
 * the host table and answers unknown hosts, suspended tenants, redirects, canonical-host redirects and
 * (on the HTTP server) HTTP→HTTPS itself; for a proxied host it sets the request's record and goes on.
 */
export interface BerthHostHandler {
  handler: 'berth_host';
  scheme: 'http' | 'https';
}

/** BerthStaticHandler mirrors `http.handlers.berth_static`: a file under a static prefix, confined to the site's root. */
export interface BerthStaticHandler {
  handler: 'berth_static';
}

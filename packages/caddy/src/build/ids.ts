/**
 * Stable `@id`s of every object the builder writes. They depend only on database ids, so the same desired
 * state always yields the same ids and an object can be addressed as `/id/<id>` on Caddy's admin API.
 */
export const CaddyIds = {
  httpsServer: 'berth-server-https',
  httpServer: 'berth-server-http',
  httpsCatchAll: 'berth-catch-all-https',
  httpCatchAll: 'berth-catch-all-http',
  internalPolicy: 'berth-tls-internal',
  acmePolicy: 'berth-tls-acme',
  /** The domain's top-level route (one per domain on the server that serves it). */
  domain: (domainId: string): string => `berth-domain-${domainId}`,
  domainPart: (domainId: string, part: string): string => `berth-domain-${domainId}-${part}`,
  /** Logger name of a domain's access log (`http.log.access.<name>`). */
  domainLog: (domainId: string): string => `berth-domain-${domainId}`,
} as const;

/** BERTH_ID_PREFIX marks objects Berth owns; anything else in Caddy's config is not Berth's. */
export const BERTH_ID_PREFIX = 'berth-';

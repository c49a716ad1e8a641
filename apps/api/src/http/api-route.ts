import type { FastifyRequest } from 'fastify';

/**
 * isApiRoute tells whether the router matched `request` to a route under /api/. Every "is this the API"
 * decision (authentication, Idempotency-Key, the audit of refused mutations) reads the matched route,
 * never the raw request target: `/%61pi/v1/sites`, `/api/v1/./sites` and the absolute-form
 * `GET http://host/api/v1/sites` all match /api/v1/sites, while a target that matches no route (`//api/v1/sites`)
 * reaches no handler at all.
 */
export function isApiRoute(request: FastifyRequest): boolean {
  return request.routeOptions.url?.startsWith('/api/') ?? false;
}

/**
 * requestPath is the path of a request that matched no route, as the router would read it: no scheme,
 * host or query, percent-escapes decoded. Only the 404 answer uses it (JSON for the API, the console
 * otherwise); it decides nothing about access.
 */
export function requestPath(request: FastifyRequest): string {
  const target = request.url.startsWith('/') ? `http://panel.invalid${request.url}` : request.url;
  let pathname: string;
  try {
    pathname = new URL(target).pathname;
  } catch {
    return request.url.split('?')[0] ?? '';
  }
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

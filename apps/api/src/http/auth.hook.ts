import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '@berth/db';
import { SESSION_TTL_MS } from '../auth/auth.service.js';
import type { AuthService } from '../auth/auth.service.js';
import { requireTenantActive, type Principal, type RequestContext } from '../auth/principal.js';
import { csrfTokenFor, safeEqual } from '../auth/secrets.js';
import { AppError } from '../errors.js';
import { isApiRoute } from './api-route.js';

export const SESSION_COOKIE = 'berth_session';
const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes marked public need no session or token (login, health, docs). */
    public?: boolean;
  }
}

/**
 * registerAuthHook authenticates every request the router matched to an /api route before its body is
 * parsed: a bearer token, or a session cookie whose mutations must carry the session's X-CSRF-Token. A
 * route is closed unless it says `config: { public: true }`. The decision reads the matched route, not the
 * request target (see isApiRoute), so no spelling of a path reaches a handler unauthenticated.
 */
export function registerAuthHook(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (!isApiRoute(request) || request.routeOptions.config?.public) return;
    // The interactive docs are public, like the OpenAPI document they render.
    const route = request.routeOptions.url ?? '';
    if (route === '/api/docs' || route.startsWith('/api/docs/')) return;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const principal = match ? await auth.resolveToken(match[1]!) : null;
      if (!principal) throw new AppError('UNAUTHENTICATED', 'The bearer token is unknown, malformed or expired.');
      request.principal = principal;
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    const principal = cookie ? await auth.resolveSession(cookie) : null;
    if (!principal || !cookie) throw new AppError('UNAUTHENTICATED', 'Sign in, or send Authorization: Bearer <token>.');
    if (MUTATIONS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(cookie))) {
        throw new AppError(
          'CSRF_TOKEN_INVALID',
          'Missing or wrong X-CSRF-Token header; read csrfToken from GET /api/v1/me.',
        );
      }
    }
    request.principal = principal;
  });
}

/**
 * registerSuspensionHook applies requireTenantActive to every write on a matched route, right after
 * authentication: the tenant's status is read from the database on each write of a tenant user (not from
 * the principal cache), so a suspension holds from the next request on.
 */
export function registerSuspensionHook(app: FastifyInstance, db: Db): void {
  app.addHook('onRequest', async (request) => {
    const principal = request.principal;
    const url = request.routeOptions.url;
    if (!principal?.tenantId || principal.role === 'admin' || !MUTATIONS.has(request.method) || url === undefined)
      return;
    const tenant = await db.tenant.findUnique({ where: { id: principal.tenantId }, select: { status: true } });
    requireTenantActive(principal, { method: request.method, url }, tenant?.status ?? null);
  });
}

/** contextOf is the service-call context of an authenticated request. */
export function contextOf(request: FastifyRequest): RequestContext {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
  return { principal: request.principal, ip: request.ip ?? null, reqId: request.id };
}

/** setSessionCookie hands the browser its session: HttpOnly, SameSite=Strict, Secure over HTTPS. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, secret: string): void {
  void reply.setCookie(SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: SESSION_TTL_MS / 1000,
  });
}

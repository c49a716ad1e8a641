import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { normalizeHostname } from '@berth/contracts';
import type { Services } from '../services.js';

const ZPermissionQuery = z.object({ domain: z.string().max(300) });

/**
 * edgeRoutes are called by Caddy, not by people. `GET /edge/tls-permission?domain=` is Caddy's on-demand
 * TLS permission check: 200 only for hostnames this panel hosts with automatic TLS, so nobody can make
 * the edge request certificates for names that are not ours.
 */
export const edgeRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.get('/edge/tls-permission', { config: { public: true }, schema: { hide: true, querystring: ZPermissionQuery } }, async (request, reply) => {
    const host = normalizeHostname(request.query.domain);
    const allowed = host.ok && host.hostname === request.query.domain && (await services.domains.allowsOnDemandCertificate(host.hostname));
    return reply.status(allowed ? 200 : 404).send(allowed ? { ok: true } : { error: { code: 'NOT_FOUND', message: 'This hostname is not hosted here.' } });
  });
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZSystemHealth, type TSystemHealth } from '@berth/contracts';
import { requireAdmin } from '../auth/principal.js';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

const NOT_RUNNING = { ok: false, message: 'The control plane is not running in this process.' };

/** systemRoutes: what administrators need to see about the machine itself. */
export const systemRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.get('/system/health', {
    schema: { tags: ['system'], summary: 'Health of the database, the Docker engine and the edge (administrators)', response: { 200: ZSystemHealth } },
  }, async (request): Promise<TSystemHealth> => {
    requireAdmin(contextOf(request).principal);
    let database: TSystemHealth['components']['database'] = { ok: true };
    try {
      await services.db.plan.count();
    } catch (err) {
      database = { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    const probes = services.health;
    const [docker, caddy] = probes ? await Promise.all([probes.docker(), probes.caddy()]) : [NOT_RUNNING, NOT_RUNNING];
    return { ok: database.ok && docker.ok && caddy.ok, components: { database, docker, caddy } };
  });
};

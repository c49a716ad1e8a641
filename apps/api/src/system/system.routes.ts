import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZSystemHealth, type TSystemHealth } from '@berth/contracts';
import type { ReconcilerHealth } from '@berth/reconciler';
import { requireAdmin } from '../auth/principal.js';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

const NOT_RUNNING = { ok: false, message: 'The control plane is not running in this process.' };
const NO_RECONCILER: TSystemHealth['components']['reconciler'] = { ...NOT_RUNNING, failingTenants: 0, oldestUnconverged: null };

/** systemRoutes: what administrators need to see about the machine itself. */
export const systemRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.get('/system/health', {
    schema: { tags: ['system'], summary: 'Health of the database, the Docker engine, the edge and the reconciler (administrators)', response: { 200: ZSystemHealth } },
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
    const reconciler = probes ? await reconcilerHealth(services, probes.reconciler()) : NO_RECONCILER;
    return { ok: database.ok && docker.ok && caddy.ok && reconciler.ok, components: { database, docker, caddy, reconciler } };
  });
};

/** reconcilerHealth names the oldest unconverged tenant by its slug; any failing tenant makes the reconciler not ok. */
async function reconcilerHealth(services: Services, health: ReconcilerHealth): Promise<TSystemHealth['components']['reconciler']> {
  const oldest = health.oldestUnconverged;
  if (!oldest) return { ok: true, failingTenants: 0, oldestUnconverged: null };
  const tenant = await services.db.tenant.findUnique({ where: { id: oldest.tenantId }, select: { slug: true } });
  const minutes = Math.max(1, Math.round((Date.now() - oldest.since.getTime()) / 60_000));
  return {
    ok: false,
    message: `${health.failingTenants} tenant${health.failingTenants === 1 ? '' : 's'} failing to converge; the oldest for ${minutes} min.`,
    failingTenants: health.failingTenants,
    oldestUnconverged: { tenantId: oldest.tenantId, tenantSlug: tenant?.slug ?? null, since: oldest.since.toISOString(), failedPasses: oldest.failedPasses, lastError: oldest.lastError },
  };
}

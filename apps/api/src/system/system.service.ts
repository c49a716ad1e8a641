import type { Db } from '@berth/db';
import type { TSystemHealth } from '@berth/contracts';
import type { ReconcilerHealth } from '@berth/reconciler';
import { requireAdmin, type RequestContext } from '../auth/principal.js';
import type { HealthPort, PortSlot } from '../ports.js';

const NOT_RUNNING = { ok: false, message: 'The control plane is not running in this process.' };
const NO_RECONCILER: TSystemHealth['components']['reconciler'] = {
  ...NOT_RUNNING,
  failingTenants: 0,
  oldestUnconverged: null,
};

/** SystemService answers what administrators need to see about the machine itself: the database and the control plane's health. */
export class SystemService {
  constructor(private readonly deps: { db: Db; health: PortSlot<HealthPort> }) {}

  /** health checks the database, Docker, the edge and the reconciler; without a control plane, those three are "not running". */
  async health(ctx: RequestContext): Promise<TSystemHealth> {
    requireAdmin(ctx.principal);
    let database: TSystemHealth['components']['database'] = { ok: true };
    try {
      await this.deps.db.plan.count();
    } catch (err) {
      database = { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    const probes = this.deps.health.current;
    const [docker, caddy] = probes ? await Promise.all([probes.docker(), probes.caddy()]) : [NOT_RUNNING, NOT_RUNNING];
    const reconciler = probes ? await this.reconcilerHealth(probes.reconciler()) : NO_RECONCILER;
    return {
      ok: database.ok && docker.ok && caddy.ok && reconciler.ok,
      components: { database, docker, caddy, reconciler },
    };
  }

  /** reconcilerHealth names the oldest unconverged tenant by its slug; any failing tenant makes the reconciler not ok. */
  private async reconcilerHealth(health: ReconcilerHealth): Promise<TSystemHealth['components']['reconciler']> {
    const oldest = health.oldestUnconverged;
    if (!oldest) return { ok: true, failingTenants: 0, oldestUnconverged: null };
    const tenant = await this.deps.db.tenant.findUnique({ where: { id: oldest.tenantId }, select: { slug: true } });
    const minutes = Math.max(1, Math.round((Date.now() - oldest.since.getTime()) / 60_000));
    return {
      ok: false,
      message: `${health.failingTenants} tenant${health.failingTenants === 1 ? '' : 's'} failing to converge; the oldest for ${minutes} min.`,
      failingTenants: health.failingTenants,
      oldestUnconverged: {
        tenantId: oldest.tenantId,
        tenantSlug: tenant?.slug ?? null,
        since: oldest.since.toISOString(),
        failedPasses: oldest.failedPasses,
        lastError: oldest.lastError,
      },
    };
  }
}

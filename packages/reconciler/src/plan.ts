import type { TSiteStatus } from '@berth/contracts';
import { expectedComponents, VARNISH_COMPONENT } from '@berth/runtime';
import type { DesiredTenant, ObservedTenant } from './desired.js';

/**
 * Action is one step of converging a tenant. The plan is pure and ordered; `apply` runs the steps
 * through the runtime and edge adapters and records each as status and events.
 */
export type Action =
  | {
      type: 'set-site-status';
      siteIds: string[];
      status: TSiteStatus;
      message?: string;
      onlyFrom?: readonly TSiteStatus[];
    }
  | { type: 'ensure-runtime'; reason: 'create' | 'change' | 'drift' | 'verify' }
  | { type: 'remove-runtime'; deleteFiles: boolean; reason: 'suspended' | 'terminated' }
  | { type: 'push-edge' };

/** The statuses a pass may turn into `live` once it converged the tenant. */
const LIVE_FROM: readonly TSiteStatus[] = ['provisioning', 'live', 'failed'];

/** tenantComponents is the container set an active tenant must have, as the runtime defines it. */
export function tenantComponents(tenant: DesiredTenant): string[] {
  return expectedComponents({
    varnish: tenant.varnishEnabled,
    sites: tenant.sites.map((s) => ({ siteId: s.id, kind: s.kind, version: s.version })),
  });
}

/**
 * plan decides what to do for one tenant from its desired state (`null` = terminated) and what Docker
 * shows. It is idempotent by construction: the runtime's ensure step converges whatever is off, so the
 * plan's job is to say whether to ensure or remove, why, and which statuses users see before and after.
 */
export function plan(desired: DesiredTenant | null, observed: ObservedTenant): Action[] {
  const hasAnything = observed.containers.length > 0 || observed.networks > 0;
  // Terminated: remove always (files may remain even when no container does; removal is idempotent).
  if (desired === null)
    return [{ type: 'remove-runtime', deleteFiles: true, reason: 'terminated' }, { type: 'push-edge' }];
  const siteIds = (status: (s: TSiteStatus) => boolean) =>
    desired.sites.filter((s) => status(s.status)).map((s) => s.id);

  if (desired.status === 'suspended') {
    const notYet = siteIds((s) => s !== 'suspended');
    // Already suspended and cleaned up: nothing to do (the pusher's own watch keeps Caddy's config).
    if (!hasAnything && notYet.length === 0) return [];
    const actions: Action[] = [{ type: 'push-edge' }];
    if (hasAnything) actions.push({ type: 'remove-runtime', deleteFiles: false, reason: 'suspended' });
    if (notYet.length > 0) actions.push({ type: 'set-site-status', siteIds: notYet, status: 'suspended' });
    return actions;
  }

  const expected = tenantComponents(desired);
  const running = new Set(observed.containers.filter((c) => c.running).map((c) => c.component));
  const present = new Set(observed.containers.map((c) => c.component));
  const missing = expected.filter((c) => !running.has(c));
  const extra = [...present].filter((c) => !expected.includes(c));
  // A degraded site is provisioned; what visitors get is the probe's to say, so a pass neither restarts its
  // status cycle nor calls it live again (the probe does, once the edge serves it).
  // A failed site is retried by every pass (ensure below) without going back through `provisioning`: a tenant
  // stuck failing keeps one `failed` status and event instead of a provisioning/failed pair per retry. Only a
  // change the user made (pending) or an unfinished pass (provisioning) is shown as provisioning again.
  const changed = siteIds((s) => s !== 'live' && s !== 'degraded' && s !== 'failed');
  const reason: Extract<Action, { type: 'ensure-runtime' }>['reason'] = !hasAnything
    ? 'create'
    : changed.length > 0
      ? 'change'
      : missing.length > 0 || extra.length > 0
        ? 'drift'
        : 'verify';

  const actions: Action[] = [];
  if (changed.length > 0) actions.push({ type: 'set-site-status', siteIds: changed, status: 'provisioning' });
  // The cache is being switched off: the edge goes straight to the webserver first, so no visitor is sent to
  // a Varnish that the ensure step is about to remove.
  if (!desired.varnishEnabled && present.has(VARNISH_COMPONENT)) actions.push({ type: 'push-edge' });
  actions.push({ type: 'ensure-runtime', reason });
  actions.push({ type: 'push-edge' });
  const settled = siteIds((s) => s !== 'degraded');
  // Only sites still as this pass left them: one the user changed meanwhile (pending) waits for the next pass.
  if (settled.length > 0)
    actions.push({ type: 'set-site-status', siteIds: settled, status: 'live', onlyFrom: LIVE_FROM });
  return actions;
}

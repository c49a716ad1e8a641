import type { TSiteStatus } from '@berth/contracts';
import { isRuntimeError } from '@berth/runtime';
import type { DesiredTenant, ObservedTenant } from './desired.js';
import { plan, type Action } from './plan.js';

/** Logger is the pino-compatible subset the reconciler logs through. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** DesiredStore reads desired state from the database and writes back statuses and events. */
export interface DesiredStore {
  loadTenant(tenantId: string): Promise<DesiredTenant | null>;
  listTenantIds(): Promise<string[]>;
  /** setSiteStatus writes a status (one event per change of status); with `onlyFrom`, only sites now in one of those statuses change. */
  setSiteStatus(args: {
    tenantId: string;
    siteIds: string[];
    status: TSiteStatus;
    message: string | null;
    onlyFrom?: readonly TSiteStatus[];
  }): Promise<void>;
  recordEvent(args: {
    tenantId: string;
    action: string;
    result: 'ok' | 'error';
    message?: string;
    details?: Record<string, unknown>;
  }): Promise<void>;
}

/** RuntimePort is what the reconciler asks of Docker (implemented over @berth/runtime). */
export interface RuntimePort {
  observe(tenantId: string): Promise<ObservedTenant>;
  /** Tenant ids that own labelled objects in Docker (to find orphans of terminated tenants). */
  observedTenantIds(): Promise<string[]>;
  ensure(tenant: DesiredTenant): Promise<{ actions: Record<string, string> }>;
  remove(args: { tenantId: string; deleteFiles: boolean }): Promise<void>;
}

/** EdgeProblem is one of a tenant's domains the edge could not serve, and why (its site is marked failed). */
export interface EdgeProblem {
  siteId: string;
  host: string;
  reason: string;
}

/**
 * EdgePort makes the edge serve one tenant as desired (`null`: terminated, its hosts are removed). Only
 * what changed is sent; a value the edge refuses is returned as a problem of its own site, and never
 * affects another host or tenant.
 */
export interface EdgePort {
  sync(tenantId: string, tenant: DesiredTenant | null): Promise<{ problems: EdgeProblem[] }>;
}

interface TenantState {
  running: boolean;
  /** A pass is scheduled to start after the debounce window. */
  scheduled?: NodeJS.Timeout;
  dirty: boolean;
  waiters: Array<() => void>;
  failures: number;
  retry?: NodeJS.Timeout;
  /** The failure last written as an event, and how many passes have failed the same way since. */
  reported?: { action: string; message: string; repeats: number };
  /** When the first of the current run of failed passes started, and the last one's error (operators' wording). */
  failingSince?: number;
  lastError?: string;
}

/** ReconcilerHealth is what operators see of the reconciler: tenants whose last pass failed, and the oldest one. */
export interface ReconcilerHealth {
  failingTenants: number;
  oldestUnconverged: { tenantId: string; since: Date; failedPasses: number; lastError: string } | null;
}

/**
 * Reconciler converges tenants to their desired state: single-flight per tenant (a change that arrives
 * while a pass runs makes exactly one more pass), retried with exponential backoff after a failure,
 * triggered by API writes (`enqueue`), at start and on a timer (`reconcileAll`), and by Docker events.
 */
export class Reconciler {
  private readonly tenants = new Map<string, TenantState>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      store: DesiredStore;
      runtime: RuntimePort;
      edge: EdgePort;
      logger?: Logger;
      backoff?: { initialMs: number; maxMs: number };
      debounceMs?: number;
    },
  ) {}

  /** enqueue asks for a pass over `tenantId`; the promise settles when a pass that saw this request ends. */
  enqueue(tenantId: string): Promise<void> {
    const state = this.state(tenantId);
    if (state.retry) {
      clearTimeout(state.retry);
      state.retry = undefined;
    }
    return new Promise((resolve) => {
      state.waiters.push(resolve);
      if (state.running) {
        state.dirty = true;
        return;
      }
      if (state.scheduled) return;
      // A short debounce lets a burst (create tenant, site and domain in three calls) converge in one pass.
      state.scheduled = setTimeout(() => {
        state.scheduled = undefined;
        void this.run(tenantId, state);
      }, this.deps.debounceMs ?? 75);
    });
  }

  /** reconcileAll passes over every tenant in the database and every tenant Docker still has objects for. */
  async reconcileAll(): Promise<void> {
    const [known, observed] = await Promise.all([
      this.deps.store.listTenantIds(),
      this.deps.runtime.observedTenantIds(),
    ]);
    const all = [...new Set([...known, ...observed])];
    // A few at a time: enough to use both cores, few enough not to starve API requests.
    const queue = [...all];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await this.enqueue(id);
    };
    await Promise.all([worker(), worker(), worker()]);
  }

  /** start runs a full pass now and then every `intervalMs` (drift repair). */
  start({ intervalMs }: { intervalMs: number }): Promise<void> {
    this.stopped = false;
    const tick = async () => {
      try {
        await this.reconcileAll();
      } catch (err) {
        this.deps.logger?.error({ err }, 'reconciler: full pass failed');
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), intervalMs).unref();
    };
    return tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const state of this.tenants.values()) {
      if (state.retry) clearTimeout(state.retry);
      if (state.scheduled) clearTimeout(state.scheduled);
    }
  }

  /** idle resolves when no pass is running or queued (retries waiting on backoff do not count). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.tenants.entries()].filter(([, s]) => s.running || s.scheduled);
      if (busy.length === 0) return;
      await Promise.all(busy.map(([id]) => this.enqueue(id)));
    }
  }

  /** busy says whether a pass over `tenantId` is running or about to (the site probe leaves such tenants alone). */
  busy(tenantId: string): boolean {
    const state = this.tenants.get(tenantId);
    return state !== undefined && (state.running || state.scheduled !== undefined);
  }

  /** health reports the tenants whose last pass failed (they are being retried with backoff) and the oldest of them. */
  health(): ReconcilerHealth {
    let oldest: ReconcilerHealth['oldestUnconverged'] = null;
    let failingTenants = 0;
    for (const [tenantId, state] of this.tenants) {
      if (state.failures === 0 || state.failingSince === undefined) continue;
      failingTenants++;
      if (!oldest || state.failingSince < oldest.since.getTime()) {
        oldest = {
          tenantId,
          since: new Date(state.failingSince),
          failedPasses: state.failures,
          lastError: state.lastError ?? '',
        };
      }
    }
    return { failingTenants, oldestUnconverged: oldest };
  }

  private state(tenantId: string): TenantState {
    let state = this.tenants.get(tenantId);
    if (!state) {
      state = { running: false, dirty: false, waiters: [], failures: 0 };
      this.tenants.set(tenantId, state);
    }
    return state;
  }

  private async run(tenantId: string, state: TenantState): Promise<void> {
    state.running = true;
    do {
      state.dirty = false;
      const waiters = state.waiters.splice(0);
      let ok = false;
      const startedAt = Date.now();
      try {
        ok = await this.pass(tenantId, state);
      } catch (err) {
        state.lastError = err instanceof Error ? err.message : String(err);
        this.deps.logger?.error({ err, tenantId }, 'reconciler: pass crashed');
      }
      state.failures = ok ? 0 : state.failures + 1;
      if (ok) state.failingSince = state.lastError = undefined;
      else state.failingSince ??= startedAt;
      for (const resolve of waiters) resolve();
    } while (state.dirty && !this.stopped);
    state.running = false;
    if (state.failures > 0 && !this.stopped) {
      const { initialMs, maxMs } = this.deps.backoff ?? { initialMs: 1_000, maxMs: 60_000 };
      const delay = Math.min(maxMs, initialMs * 2 ** (state.failures - 1));
      state.retry = setTimeout(() => {
        state.retry = undefined;
        void this.enqueue(tenantId);
      }, delay).unref();
    } else if (state.waiters.length === 0) {
      this.tenants.delete(tenantId);
    }
  }

  /** pass plans and applies one tenant; it returns false when a step failed (a retry follows). */
  private async pass(tenantId: string, state: TenantState): Promise<boolean> {
    const { store, runtime, logger } = this.deps;
    const desired = await store.loadTenant(tenantId);
    const observed = await runtime.observe(tenantId);
    const actions = plan(desired, observed);
    const provisioning = actions.find(
      (a): a is Extract<Action, { type: 'set-site-status' }> =>
        a.type === 'set-site-status' && a.status === 'provisioning',
    );
    const changing = provisioning?.siteIds ?? [];
    const edgeProblems = new Map<string, string>();
    for (const action of actions) {
      try {
        if (action.type === 'push-edge') {
          const { problems } = await this.deps.edge.sync(tenantId, desired);
          for (const p of problems) edgeProblems.set(p.siteId, `${p.host} cannot be served: ${p.reason}`);
          for (const [siteId, message] of edgeProblems)
            await store.setSiteStatus({ tenantId, siteIds: [siteId], status: 'failed', message });
          continue;
        }
        if (action.type === 'set-site-status' && action.status === 'live' && edgeProblems.size > 0) {
          await this.apply(tenantId, desired, {
            ...action,
            siteIds: action.siteIds.filter((id) => !edgeProblems.has(id)),
          });
          continue;
        }
        await this.apply(tenantId, desired, action);
      } catch (err) {
        // Operators get the runtime's own words (logs, system health); tenants get what they can act on,
        // without the panel's internal names or anything of another tenant.
        state.lastError = err instanceof Error ? err.message : String(err);
        logger?.warn({ err, tenantId, action: action.type }, 'reconciler: step failed');
        const message = tenantMessage(action, err);
        await this.reportFailure(tenantId, state, `reconcile.${action.type}`, message);
        if (changing.length > 0) await store.setSiteStatus({ tenantId, siteIds: changing, status: 'failed', message });
        return false;
      }
    }
    if (state.reported) {
      // One event when it works again, carrying how many retries failed the same way (none was written for them).
      const { action, repeats } = state.reported;
      state.reported = undefined;
      await store.recordEvent({
        tenantId,
        action: 'reconcile.recovered',
        result: 'ok',
        details: { after: action, failedPasses: repeats + 1 },
      });
    }
    return true;
  }

  /**
   * reportFailure writes one event per change of failure, not one per retry: a tenant stuck failing the
   * same way for an hour leaves one event in its activity (and the repeats are counted on the recovery
   * event), so the retries never bury what users did.
   */
  private async reportFailure(tenantId: string, state: TenantState, action: string, message: string): Promise<void> {
    if (state.reported?.action === action && state.reported.message === message) {
      state.reported.repeats++;
      return;
    }
    state.reported = { action, message, repeats: 0 };
    await this.deps.store.recordEvent({ tenantId, action, result: 'error', message });
  }

  private async apply(tenantId: string, desired: DesiredTenant | null, action: Action): Promise<void> {
    const { store, runtime } = this.deps;
    switch (action.type) {
      case 'set-site-status':
        await store.setSiteStatus({
          tenantId,
          siteIds: action.siteIds,
          status: action.status,
          message: action.message ?? null,
          ...(action.onlyFrom ? { onlyFrom: action.onlyFrom } : {}),
        });
        return;
      case 'ensure-runtime': {
        if (!desired) return;
        const result = await runtime.ensure(desired);
        const changed = Object.fromEntries(Object.entries(result.actions).filter(([, a]) => a !== 'unchanged'));
        if (Object.keys(changed).length > 0 || action.reason !== 'verify') {
          await store.recordEvent({
            tenantId,
            action: 'tenant.runtime-ensure',
            result: 'ok',
            details: { reason: action.reason, components: changed },
          });
        }
        return;
      }
      case 'remove-runtime':
        await runtime.remove({ tenantId, deleteFiles: action.deleteFiles });
        await store.recordEvent({
          tenantId,
          action: 'tenant.runtime-remove',
          result: 'ok',
          details: { reason: action.reason, filesDeleted: action.deleteFiles },
        });
        return;
      case 'push-edge':
        return; // handled in pass(), which needs the problems it reports
    }
  }
}

/**
 * tenantMessage is a failed step as the tenant reads it (site status, activity): what happened and what to do,
 * by the kind of failure. The runtime's own message names containers, networks and engine internals, so it
 * goes to the logs and to the administrators' health view instead.
 */
export function tenantMessage(action: Action, err: unknown): string {
  const retrying =
    'Berth retries by itself; use Retry once you have changed something, or contact your provider if it persists.';
  if (action.type === 'push-edge') return `The web front (edge) did not take this site's new routes. ${retrying}`;
  if (action.type === 'remove-runtime')
    return `This account's containers could not be stopped and removed. ${retrying}`;
  if (isRuntimeError(err)) {
    switch (err.code) {
      case 'CONFIG_INVALID':
        return "The server configuration generated from this site's settings was rejected; the previous configuration keeps serving. Check the site's settings (PHP values, static paths), then Retry.";
      case 'CONTAINER_FAILED':
        return "A container of this site stopped right after it started. Check the site's start command and its recent changes, then Retry.";
      case 'LIMITS_FAILED':
        return `The plan's resource limits (disk, memory, processes) could not be applied to this account. ${retrying}`;
      default:
        break;
    }
  }
  return `The server could not start this site's containers. ${retrying}`;
}

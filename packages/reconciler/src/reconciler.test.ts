import { describe, expect, it } from 'vitest';
import type { TSiteStatus } from '@berth/contracts';
import type { DesiredTenant } from './desired.js';
import { RuntimeError } from '@berth/runtime';
import { Reconciler, tenantMessage, type DesiredStore, type RuntimePort } from './reconciler.js';

function fixture() {
  const tenants = new Map<string, DesiredTenant>();
  const statuses: string[] = [];
  const events: string[] = [];
  let ensureCalls = 0;
  let pushCalls = 0;
  let failNext = 0;
  let gate: Promise<void> | undefined;
  const store: DesiredStore = {
    loadTenant: async (id) => tenants.get(id) ?? null,
    listTenantIds: async () => [...tenants.keys()],
    setSiteStatus: async ({ siteIds, status, message }) => {
      statuses.push(`${siteIds.join(',')}=${status}${message ? `(${message})` : ''}`);
      for (const t of tenants.values())
        for (const s of t.sites) if (siteIds.includes(s.id)) s.status = status as TSiteStatus;
    },
    recordEvent: async ({ action, result }) => void events.push(`${action}:${result}`),
  };
  const runtime: RuntimePort = {
    observe: async () => ({ containers: [], networks: 0 }),
    observedTenantIds: async () => ['orphan'],
    ensure: async () => {
      ensureCalls++;
      if (gate) await gate;
      if (failNext > 0) {
        failNext--;
        throw new Error('Image berth/php-fpm:8.4 is not present; build it with `bash docker/build.sh php-fpm-8.4`.');
      }
      return { actions: { webserver: 'created' } };
    },
    remove: async ({ tenantId }) => void events.push(`removed:${tenantId}`),
  };
  const edge = {
    sync: async () => {
      pushCalls++;
      return { problems: [] };
    },
  };
  tenants.set('t1', {
    id: 't1',
    slug: 'acme',
    uid: 200000,
    status: 'active',
    webserver: 'nginx',
    varnishEnabled: false,
    ports: { web: 20000, cache: 20001 },
    plan: {
      cpuMillicores: 1000,
      memoryMb: 512,
      pidsLimit: 256,
      phpMaxMemoryMb: 256,
      phpMaxUploadMb: 64,
      phpMaxExecSeconds: 60,
    },
    sites: [{ id: 's1', name: 'www', kind: 'php', version: '8.4', status: 'pending', settings: {}, domains: [] }],
  });
  return {
    tenants,
    statuses,
    events,
    store,
    runtime,
    edge,
    get ensureCalls() {
      return ensureCalls;
    },
    get pushCalls() {
      return pushCalls;
    },
    failOnce(n = 1) {
      failNext = n;
    },
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

describe('tenantMessage', () => {
  it.each([
    ['CONFIG_INVALID', /settings.*Retry/],
    ['CONTAINER_FAILED', /start command/],
    ['LIMITS_FAILED', /resource limits/],
    ['DOCKER_ERROR', /could not start this site's containers/],
  ] as const)("%s → %s, without the runtime's internal wording", (code, expected) => {
    const message = tenantMessage(
      { type: 'ensure-runtime', reason: 'change' },
      new RuntimeError(code, 'Network berth-other has no gateway address; recreate it with removeTenant.'),
    );
    expect(message).toMatch(expected);
    expect(message).not.toMatch(/berth-other|removeTenant/);
  });
});

describe('Reconciler', () => {
  it('moves a site pending → provisioning → live and records events', async () => {
    const f = fixture();
    const r = new Reconciler(f);
    await r.enqueue('t1');
    expect(f.statuses).toEqual(['s1=provisioning', 's1=live']);
    expect(f.events).toContain('tenant.runtime-ensure:ok');
    expect(f.pushCalls).toBe(1);
  });

  it('debounces a burst of requests into one pass', async () => {
    const f = fixture();
    const r = new Reconciler({ ...f, debounceMs: 30 });
    await Promise.all([r.enqueue('t1'), r.enqueue('t1'), r.enqueue('t1')]);
    expect(f.ensureCalls).toBe(1);
  });

  it('coalesces: requests during a pass cost exactly one more pass', async () => {
    const f = fixture();
    const r = new Reconciler({ ...f, debounceMs: 0 });
    const release = f.hold();
    const first = r.enqueue('t1');
    await new Promise((res) => setTimeout(res, 5));
    const more = Array.from({ length: 20 }, () => r.enqueue('t1'));
    release();
    await Promise.all([first, ...more]);
    expect(f.ensureCalls).toBe(2);
  });

  it("marks the site failed with a message for the tenant, keeps the engine's words for operators, and retries until it works", async () => {
    const f = fixture();
    f.failOnce(2);
    const r = new Reconciler({ ...f, backoff: { initialMs: 20, maxMs: 100 } });
    await r.enqueue('t1');
    expect(f.statuses.at(-1)).toBe(
      `s1=failed(The server could not start this site's containers. Berth retries by itself; use Retry once you have changed something, or contact your provider if it persists.)`,
    );
    expect(f.statuses.join(' ')).not.toMatch(/berth\/php-fpm|docker\/build/);
    const health = r.health();
    expect(health.failingTenants).toBe(1);
    expect(health.oldestUnconverged).toMatchObject({
      tenantId: 't1',
      failedPasses: 1,
      lastError: expect.stringMatching(/^Image berth\/php-fpm:8\.4 is not present/),
    });
    for (let i = 0; i < 50 && f.statuses.at(-1) !== 's1=live'; i++) await new Promise((res) => setTimeout(res, 20));
    expect(f.statuses.at(-1)).toBe('s1=live');
    expect(f.ensureCalls).toBe(3);
    expect(r.health()).toEqual({ failingTenants: 0, oldestUnconverged: null });
    r.stop();
  });

  it('writes one event for a failure that repeats, not one per retry, and one when it recovers', async () => {
    const f = fixture();
    f.failOnce(6);
    const r = new Reconciler({ ...f, backoff: { initialMs: 5, maxMs: 10 } });
    await r.enqueue('t1');
    for (let i = 0; i < 100 && f.statuses.at(-1) !== 's1=live'; i++) await new Promise((res) => setTimeout(res, 10));
    expect(f.statuses.at(-1)).toBe('s1=live');
    expect(f.ensureCalls).toBe(7);
    expect(f.events.filter((e) => e === 'reconcile.ensure-runtime:error')).toHaveLength(1);
    expect(f.events.filter((e) => e === 'reconcile.recovered:ok')).toHaveLength(1);
    r.stop();
  });

  it('removes orphans found in Docker and tenants deleted from the database', async () => {
    const f = fixture();
    const r = new Reconciler(f);
    await r.reconcileAll();
    expect(f.events).toContain('removed:orphan');
    f.tenants.delete('t1');
    await r.enqueue('t1');
    expect(f.events).toContain('removed:t1');
  });
});

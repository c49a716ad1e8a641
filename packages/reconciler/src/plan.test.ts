import { describe, expect, it } from 'vitest';
import type { DesiredTenant, ObservedTenant } from './desired.js';
import { plan } from './plan.js';

const tenant = (over: Partial<DesiredTenant> = {}): DesiredTenant => ({
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
  sites: [
    { id: 's1', name: 'www', kind: 'php', version: '8.2', status: 'live', settings: {}, domains: [] },
    { id: 's2', name: 'api', kind: 'node', version: '20', status: 'live', settings: {}, domains: [] },
  ],
  ...over,
});

const running = (...components: string[]): ObservedTenant => ({
  containers: components.map((component) => ({ component, running: true })),
  networks: 1,
});
const nothing: ObservedTenant = { containers: [], networks: 0 };

describe('plan', () => {
  it('creates a new tenant: provisioning, ensure, edge, live', () => {
    const t = tenant({
      sites: [{ id: 's1', name: 'www', kind: 'php', version: '8.2', status: 'pending', settings: {}, domains: [] }],
    });
    expect(plan(t, nothing)).toEqual([
      { type: 'set-site-status', siteIds: ['s1'], status: 'provisioning' },
      { type: 'ensure-runtime', reason: 'create' },
      { type: 'push-edge' },
      { type: 'set-site-status', siteIds: ['s1'], status: 'live', onlyFrom: ['provisioning', 'live', 'failed'] },
    ]);
  });

  it('applies a change to a running tenant (a version switch leaves the site pending)', () => {
    const t = tenant();
    t.sites[0] = { ...t.sites[0]!, version: '8.4', status: 'pending' };
    const actions = plan(t, running('webserver', 'php-8.2', 'app-s2'));
    expect(actions[0]).toEqual({ type: 'set-site-status', siteIds: ['s1'], status: 'provisioning' });
    expect(actions[1]).toEqual({ type: 'ensure-runtime', reason: 'change' });
  });

  it('repairs drift: a stopped or missing container, or one no longer wanted', () => {
    const t = tenant();
    expect(
      plan(t, {
        containers: [
          { component: 'webserver', running: false },
          { component: 'php-8.2', running: true },
          { component: 'app-s2', running: true },
        ],
        networks: 1,
      })[0],
    ).toEqual({ type: 'ensure-runtime', reason: 'drift' });
    expect(plan(t, running('webserver', 'php-8.2'))[0]).toEqual({ type: 'ensure-runtime', reason: 'drift' });
    expect(plan(t, running('webserver', 'php-8.2', 'php-7.4', 'app-s2'))[0]).toEqual({
      type: 'ensure-runtime',
      reason: 'drift',
    });
    expect(plan(tenant({ varnishEnabled: true }), running('webserver', 'php-8.2', 'app-s2'))[0]).toEqual({
      type: 'ensure-runtime',
      reason: 'drift',
    });
  });

  it('only verifies a converged tenant', () => {
    expect(plan(tenant(), running('webserver', 'php-8.2', 'app-s2'))).toEqual([
      { type: 'ensure-runtime', reason: 'verify' },
      { type: 'push-edge' },
      { type: 'set-site-status', siteIds: ['s1', 's2'], status: 'live', onlyFrom: ['provisioning', 'live', 'failed'] },
    ]);
  });

  it('finishes half-done work: a site left provisioning or failed by a crash is converged again', () => {
    const t = tenant();
    t.sites[1] = { ...t.sites[1]!, status: 'provisioning' };
    t.sites[0] = { ...t.sites[0]!, status: 'failed' };
    const actions = plan(t, running('webserver'));
    // The unfinished one shows provisioning again; the failed one keeps its status (and reason) until it works.
    expect(actions[0]).toEqual({ type: 'set-site-status', siteIds: ['s2'], status: 'provisioning' });
    expect(actions[1]).toEqual({ type: 'ensure-runtime', reason: 'change' });
    expect(actions.at(-1)).toMatchObject({ siteIds: ['s1', 's2'], status: 'live' });
  });

  it('suspends: edge first (suspended page), containers removed, files kept, sites marked', () => {
    expect(plan(tenant({ status: 'suspended' }), running('webserver', 'php-8.2'))).toEqual([
      { type: 'push-edge' },
      { type: 'remove-runtime', deleteFiles: false, reason: 'suspended' },
      { type: 'set-site-status', siteIds: ['s1', 's2'], status: 'suspended' },
    ]);
    const done = tenant({
      status: 'suspended',
      sites: [{ id: 's1', name: 'www', kind: 'php', version: '8.2', status: 'suspended', settings: {}, domains: [] }],
    });
    expect(plan(done, nothing)).toEqual([]);
  });

  it('unsuspends like a change: sites go provisioning then live', () => {
    const t = tenant({
      sites: [{ id: 's1', name: 'www', kind: 'php', version: '8.2', status: 'suspended', settings: {}, domains: [] }],
    });
    expect(plan(t, nothing).map((a) => a.type)).toEqual([
      'set-site-status',
      'ensure-runtime',
      'push-edge',
      'set-site-status',
    ]);
  });

  it('removes a terminated tenant with its files', () => {
    expect(plan(null, running('webserver'))).toEqual([
      { type: 'remove-runtime', deleteFiles: true, reason: 'terminated' },
      { type: 'push-edge' },
    ]);
  });

  it('repairs a degraded site without calling it live (the probe does that once visitors are served)', () => {
    const t = tenant();
    t.sites[0] = { ...t.sites[0]!, status: 'degraded' };
    expect(plan(t, running('webserver', 'php-8.2'))).toEqual([
      { type: 'ensure-runtime', reason: 'drift' },
      { type: 'push-edge' },
      { type: 'set-site-status', siteIds: ['s2'], status: 'live', onlyFrom: ['provisioning', 'live', 'failed'] },
    ]);
  });

  it('switching the cache off points the edge at the webserver before Varnish is removed', () => {
    const actions = plan(tenant({ varnishEnabled: false }), running('webserver', 'php-8.2', 'app-s2', 'varnish'));
    expect(actions.map((a) => a.type)).toEqual(['push-edge', 'ensure-runtime', 'push-edge', 'set-site-status']);
  });

  it('retries a failed site without showing it as provisioning again (no status flapping per retry)', () => {
    const t = tenant();
    t.sites[0] = { ...t.sites[0]!, status: 'failed' };
    const actions = plan(t, running('webserver', 'php-8.2', 'app-s2'));
    expect(actions.filter((a) => a.type === 'set-site-status' && a.status === 'provisioning')).toEqual([]);
    expect(actions).toContainEqual({ type: 'ensure-runtime', reason: 'verify' });
    expect(actions.at(-1)).toEqual({
      type: 'set-site-status',
      siteIds: ['s1', 's2'],
      status: 'live',
      onlyFrom: ['provisioning', 'live', 'failed'],
    });
  });
});

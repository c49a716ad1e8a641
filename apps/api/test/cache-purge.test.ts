import { createDockerDriver, type DockerDriver } from '@berth/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCacheAdapter } from '../src/control/cache.adapter.js';
import { ADMIN, call, login, makeTenant, startPanel, type TenantFixture, type TestPanel } from './helpers.js';

/**
 * Purging a cache that is not there is the caller's situation to fix (wait for the site, or look at it),
 * not a server error. The cache port is the control plane's real one over @berth/runtime; only the Docker
 * engine behind it is replaced, by one that shows the tenant's Varnish stopped, or does not answer at all.
 */

const stoppedVarnish = (tenantId: string) =>
  ({
    listContainers: async () => [
      {
        Id: 'c1',
        Names: [`/berth-${tenantId}-varnish`],
        Image: 'varnish',
        State: 'exited',
        Ports: [],
        Labels: {
          'berth.managed': 'test',
          'berth.tenant': tenantId,
          'berth.role': 'varnish',
          'berth.component': 'varnish',
        },
      },
    ],
    listNetworks: async () => [],
    listVolumes: async () => ({ Volumes: [], Warnings: [] }),
  }) as unknown as DockerDriver['docker'];

const engineDown = {
  listContainers: async () =>
    Promise.reject(Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' })),
  listNetworks: async () =>
    Promise.reject(Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' })),
  listVolumes: async () =>
    Promise.reject(Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' })),
} as unknown as DockerDriver['docker'];

describe('cache purge when the cache is not running', () => {
  let panel: TestPanel;
  let t: TenantFixture;
  beforeAll(async () => {
    panel = await startPanel();
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    t = await makeTenant(panel.app, admin, 'alpha');
    expect(
      (await call(panel.app, t.owner, 'PATCH', `/api/v1/tenants/${t.id}`, { varnishEnabled: true })).statusCode,
    ).toBe(200);
  });
  afterAll(async () => {
    await panel.close();
  });

  it('answers 409 CACHE_NOT_RUNNING, for one URL and for the whole site, and records no purge', async () => {
    panel.ports.cache.bind(
      createCacheAdapter(createDockerDriver({ dataDir: panel.dir, docker: stoppedVarnish(t.id), instance: 'test' })),
    );
    for (const body of [{}, { url: `https://${t.hostname}/page` }]) {
      const res = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/cache/purge`, body);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({
        error: { code: 'CACHE_NOT_RUNNING', message: expect.stringMatching(/not running/) },
      });
    }
    expect(await panel.db.event.count({ where: { action: 'site.cache-purge' } })).toBe(0);
  });

  it('answers 503 RUNTIME_UNAVAILABLE when the Docker engine does not answer', async () => {
    panel.ports.cache.bind(
      createCacheAdapter(createDockerDriver({ dataDir: panel.dir, docker: engineDown, instance: 'test' })),
    );
    const res = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/cache/purge`, {});
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'RUNTIME_UNAVAILABLE' } });
  });
});

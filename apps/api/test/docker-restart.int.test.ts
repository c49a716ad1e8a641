import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observe } from '@berth/runtime';
import { restartDockerEngine } from './docker-engine.js';
import { PanelProcess } from './panel-process.js';

describe('Docker engine restart', () => {
  let panel: PanelProcess;
  const hosts = ['one.engine.test', 'two.engine.test'];
  beforeAll(async () => {
    panel = await PanelProcess.start();
    for (const [i, host] of hosts.entries()) {
      const t = await panel.api<{ id: string }>('POST', '/tenants', {
        slug: `engine-${i}`,
        name: 'engine',
        owner: { email: `engine-${i}@example.test`, password: 'engine-password-123' },
      });
      const s = await panel.api<{ id: string }>('POST', '/sites', {
        tenantId: t.body.id,
        name: 'www',
        runtime: { kind: 'php', version: '8.2' },
      });
      await panel.api('POST', `/sites/${s.body.id}/domains`, { hostname: host });
      await panel.waitFor(`${host} over HTTPS`, async () => (await panel.https(host, '/')).status === 200, 90_000);
    }
  });
  afterAll(async () => {
    // After an engine restart, Debian's docker.io can keep an overlay2 mount busy for a long while
    // ("failed to remove root filesystem: … device or resource busy"): an engine-side leak, not what this
    // test checks. The runtime retries such removals; cleanup reports a leftover instead of failing.
    await panel?.stop().catch((err: unknown) => {
      if (!/device or resource busy/.test(String(err))) throw err;
      process.stderr.write(
        `docker-restart test: engine kept a container mount busy; left for the engine to clean: ${String(err).slice(0, 200)}\n`,
      );
    });
  });

  it('serves every site again after the daemon restarts, with nothing duplicated', async () => {
    const before = (await observe(panel.driver())).containers.map((c) => c.name).sort();
    await restartDockerEngine();
    for (const host of hosts)
      await panel.waitFor(`${host} back`, async () => (await panel.https(host, '/')).status === 200, 120_000);
    const after = await observe(panel.driver());
    expect(after.containers.every((c) => c.running)).toBe(true);
    expect(after.containers.map((c) => c.name).sort()).toEqual(before);
    expect(after.networks).toHaveLength(hosts.length);
  });
});

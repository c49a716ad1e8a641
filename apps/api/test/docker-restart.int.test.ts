import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observe } from '@berth/runtime';
import { PanelProcess } from './panel-process.js';

/**
 * restartDockerEngine restarts the Docker daemon the way it runs on this host: systemd's unit when systemd
 * manages it, otherwise the dockerd that scripts/prereqs.sh started (found by its pid file), stopped by
 * that PID and started again the same way. Containers stop with the daemon and come back by their
 * restart policy; the panel must notice (event stream) and converge.
 */
async function restartDockerEngine(): Promise<void> {
  const systemd = spawnSync('systemctl', ['is-active', 'docker'], { encoding: 'utf8' });
  if (systemd.status === 0 && systemd.stdout.trim() === 'active') {
    expect(spawnSync('systemctl', ['restart', 'docker']).status).toBe(0);
  } else {
    const pid = Number(fs.readFileSync('/var/run/docker.pid', 'utf8').trim());
    expect(pid).toBeGreaterThan(1);
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 300 && fs.existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(`/proc/${pid}`), 'dockerd did not stop').toBe(false);
    const log = fs.openSync('/var/log/berth-dockerd.log', 'a');
    spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] }).unref();
  }
  for (let i = 0; i < 600; i++) {
    if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the Docker engine did not come back');
}

describe('Docker engine restart', () => {
  let panel: PanelProcess;
  const hosts = ['one.engine.test', 'two.engine.test'];
  beforeAll(async () => {
    panel = await PanelProcess.start();
    for (const [i, host] of hosts.entries()) {
      const t = await panel.api<{ id: string }>('POST', '/tenants', { slug: `engine-${i}`, name: 'engine', owner: { email: `engine-${i}@example.test`, password: 'engine-password-123' } });
      const s = await panel.api<{ id: string }>('POST', '/sites', { tenantId: t.body.id, name: 'www', runtime: { kind: 'php', version: '8.2' } });
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
      process.stderr.write(`docker-restart test: engine kept a container mount busy; left for the engine to clean: ${String(err).slice(0, 200)}\n`);
    });
  });

  it('serves every site again after the daemon restarts, with nothing duplicated', async () => {
    const before = (await observe(panel.driver())).containers.map((c) => c.name).sort();
    await restartDockerEngine();
    for (const host of hosts) await panel.waitFor(`${host} back`, async () => (await panel.https(host, '/')).status === 200, 120_000);
    const after = await observe(panel.driver());
    expect(after.containers.every((c) => c.running)).toBe(true);
    expect(after.containers.map((c) => c.name).sort()).toEqual(before);
    expect(after.networks).toHaveLength(hosts.length);
  });
});

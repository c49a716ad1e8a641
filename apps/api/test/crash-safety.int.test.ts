import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaddyAdminClient } from '@berth/caddy';
import { observe } from '@berth/runtime';
import { PanelProcess } from './panel-process.js';

/**
 * Crash safety: the panel is killed with SIGKILL at successive moments of provisioning a new tenant's
 * PHP site (right after the API call, while the network, containers and routes are being made, after
 * they are done), started again on the same data dir, and must converge with nothing orphaned.
 */
const KILL_AFTER_MS = [0, 60, 150, 300, 500, 800, 1300, 2500];

describe('crash safety (kill -9 during provisioning)', () => {
  let panel: PanelProcess;
  beforeAll(async () => {
    panel = await PanelProcess.start();
  });
  afterAll(async () => {
    await panel?.stop();
  });

  it('converges after a kill at each step of site creation, with no orphan containers, networks or routes', async () => {
    const made: { tenantId: string; siteId: string; host: string }[] = [];
    for (const [i, delay] of KILL_AFTER_MS.entries()) {
      const slug = `crash-${i}`;
      const t = await panel.api<{ id: string }>('POST', '/tenants', {
        slug,
        name: slug,
        owner: { email: `${slug}@example.test`, password: 'crash-password-123' },
      });
      expect(t.status).toBe(201);
      const s = await panel.api<{ id: string }>('POST', '/sites', {
        tenantId: t.body.id,
        name: 'www',
        runtime: { kind: 'php', version: i % 2 === 0 ? '8.2' : '7.4' },
      });
      expect(s.status).toBe(201);
      const host = `${slug}.example.test`;
      expect((await panel.api('POST', `/sites/${s.body.id}/domains`, { hostname: host })).status).toBe(201);
      made.push({ tenantId: t.body.id, siteId: s.body.id, host });
      await new Promise((r) => setTimeout(r, delay));
      await panel.kill('SIGKILL');
      await panel.spawn();
    }
    // Everything converges after the last restart.
    for (const m of made) {
      await panel.waitFor(
        `${m.host} live`,
        async () => (await panel.api<{ status: string }>('GET', `/sites/${m.siteId}`)).body.status === 'live',
        120_000,
      );
      await panel.waitFor(`${m.host} over HTTPS`, async () => (await panel.https(m.host, '/')).status === 200, 60_000);
    }
    // No orphans: Docker holds exactly what the database wants, and nothing half-made.
    const seen = await observe(panel.driver());
    const tenants = new Set(made.map((m) => m.tenantId));
    const byTenant = new Map<string, string[]>();
    for (const c of seen.containers) {
      if (c.role === 'edge') continue;
      expect(tenants.has(c.tenantId), `container ${c.name} of an unknown tenant`).toBe(true);
      expect(c.running, `${c.name} not running`).toBe(true);
      expect(c.name, 'a parked container was left behind').not.toMatch(/-old-/);
      byTenant.set(c.tenantId, [...(byTenant.get(c.tenantId) ?? []), c.component].sort());
    }
    for (const [i, m] of made.entries())
      expect(byTenant.get(m.tenantId)).toEqual([i % 2 === 0 ? 'php-8.2' : 'php-7.4', 'webserver'].sort());
    expect(seen.networks.map((n) => n.tenantId).sort()).toEqual([...tenants].sort());
    // Each tenant still holds exactly its two ports.
    const list = await panel.api<{ items: { id: string; ports: { web: number; cache: number } }[] }>(
      'GET',
      '/tenants?limit=100',
    );
    const ports = list.body.items.flatMap((t) => [t.ports.web, t.ports.cache]);
    expect(new Set(ports).size).toBe(made.length * 2);
    // The edge's host table holds exactly the hostnames the database wants, each for its own tenant.
    const edge = new CaddyAdminClient({ address: { socketPath: `${panel.dataDir}/caddy/admin/admin.sock` } });
    try {
      const { hosts } = await edge.listHosts();
      expect(hosts.map((h) => [h.host, h.tenant]).sort()).toEqual(made.map((m) => [m.host, m.tenantId]).sort());
    } finally {
      await edge.close();
    }
  });
});

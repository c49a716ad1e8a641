import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observe } from '@berth/runtime';
import { PanelProcess } from './panel-process.js';

interface Site {
  id: string;
  status: string;
  statusMessage: string | null;
}
interface Event {
  action: string;
  targetId: string | null;
  message: string | null;
}

/**
 * A status that tells the truth (issue 12): `live` means the edge serves the site. Here the webserver is cut
 * off its network by hand, which no container event reports and the drift timer (an hour here) would only
 * find much later: visitors get 502 from the edge. The probe must call the site degraded within its interval,
 * with the reason, repair it, and call it live again, with one event each way.
 */
describe('site status: degraded when the edge does not serve it, live again after repair', () => {
  let panel: PanelProcess;
  let siteId: string;
  let tenantId: string;
  const host = 'status.probe.test';
  const site = async () => (await panel.api<Site>('GET', `/sites/${siteId}`)).body;

  beforeAll(async () => {
    panel = await PanelProcess.start({ BERTH_SITE_PROBE_INTERVAL_S: '1', BERTH_RECONCILE_INTERVAL_S: '3600' });
    const t = await panel.api<{ id: string }>('POST', '/tenants', {
      slug: 'probe',
      name: 'Probe',
      owner: { email: 'owner@probe.test', password: 'probe-password-123' },
    });
    tenantId = t.body.id;
    const s = await panel.api<{ id: string }>('POST', '/sites', {
      tenantId,
      name: 'www',
      runtime: { kind: 'php', version: '8.2' },
    });
    siteId = s.body.id;
    expect((await panel.api('POST', `/sites/${siteId}/domains`, { hostname: host })).status).toBe(201);
    await panel.waitFor(
      'site live and served',
      async () => (await site()).status === 'live' && (await panel.https(host, '/')).status === 200,
      90_000,
    );
  });
  afterAll(async () => {
    await panel?.stop();
  });

  it('goes degraded within the probe interval with the reason, is repaired, and is live again', async () => {
    const driver = panel.driver();
    const seen = await observe(driver, { tenantId });
    const webserver = seen.containers.find((c) => c.component === 'webserver')!;
    const network = seen.networks.find((n) => n.tenantId === tenantId)!;
    await driver.docker.getNetwork(network.id).disconnect({ Container: webserver.id, Force: true });
    // The published port leads nowhere now: the edge answers 502 or nothing at all.
    const broken = await panel.https(host, '/').then(
      (r) => r.status,
      () => 'no answer',
    );
    expect(broken).not.toBe(200);

    const started = Date.now();
    const degraded = await panel.waitFor(
      'site degraded',
      async () => {
        const s = await site();
        return s.status === 'degraded' ? s : undefined;
      },
      30_000,
    );
    // The probe interval (1 s) plus two failed probes one second apart (each at most 4 s).
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(degraded.statusMessage).toMatch(
      /(Visitors of status\.probe\.test get 502 Bad Gateway from the edge|The edge did not answer for status\.probe\.test)/,
    );

    await panel.waitFor(
      'site live again and served',
      async () => (await site()).status === 'live' && (await panel.https(host, '/')).status === 200,
      60_000,
    );
    const after = await observe(driver, { tenantId });
    expect(after.containers.find((c) => c.component === 'webserver')!.id).not.toBe(webserver.id);

    const events = (await panel.api<{ items: Event[] }>('GET', `/events?targetId=${siteId}&limit=50`)).body.items;
    expect(events.filter((e) => e.action === 'site.degraded')).toHaveLength(1);
    expect(events.filter((e) => e.action === 'site.live').length).toBeGreaterThanOrEqual(2); // provisioned, then repaired
    expect(events.find((e) => e.action === 'site.degraded')!.message).toMatch(/status\.probe\.test/);
  });
});

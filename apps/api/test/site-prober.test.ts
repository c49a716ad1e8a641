import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PrismaDesiredStore } from '../src/control/desired-store.js';
import { SiteProber } from '../src/control/site-prober.js';
import { ADMIN, call, login, makeTenant, startPanel, type TenantFixture, type TestPanel } from './helpers.js';

/**
 * The site probe against a stand-in edge (a local HTTP server answering what the test says): the database
 * side is real (SQLite, the store that writes statuses and events). The real edge is in site-status.int.test.ts.
 */
describe('site probe and provisioning bound', () => {
  let panel: TestPanel;
  let t: TenantFixture;
  let edge: http.Server;
  let answer = 200;
  let busy = false;
  const repaired: string[] = [];
  let prober: SiteProber;

  beforeAll(async () => {
    panel = await startPanel();
    t = await makeTenant(panel.app, await login(panel.app, ADMIN.email, ADMIN.password), 'probed');
    // The stand-in edge speaks plain HTTP: the domain is served without TLS here.
    await panel.db.domain.update({ where: { id: t.domainId }, data: { tlsMode: 'off' } });
    edge = http.createServer((req, res) => {
      res.writeHead(req.headers.host === t.hostname ? answer : 404);
      res.end(String(answer));
    });
    await new Promise<void>((resolve) => edge.listen(0, '127.0.0.1', resolve));
    const port = (edge.address() as AddressInfo).port;
    prober = new SiteProber({
      db: panel.db,
      store: new PrismaDesiredStore({ db: panel.db, dataKey: panel.services.dataKey }),
      ports: { http: port, https: port },
      intervalMs: 60_000,
      provisionTimeoutMs: 5 * 60_000,
      busy: () => busy,
      repair: (tenantId) => void repaired.push(tenantId),
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    edge.close();
    await panel.close();
  });
  beforeEach(() => {
    answer = 200;
    busy = false;
    repaired.length = 0;
  });

  const site = () => panel.db.site.findUniqueOrThrow({ where: { id: t.siteId } });
  const events = (action: string) => panel.db.event.count({ where: { action, targetId: t.siteId } });

  it('calls a live site degraded when the edge answers 502 twice, asks for a repair, and live again once served', async () => {
    await panel.db.site.update({ where: { id: t.siteId }, data: { status: 'live', statusMessage: null } });
    answer = 502;
    await prober.runOnce();
    expect(await site()).toMatchObject({
      status: 'degraded',
      statusMessage: expect.stringMatching(/^Visitors of probed\.example\.test get 502 Bad Gateway from the edge\./),
    });
    expect(repaired).toEqual([t.id]);
    expect(await events('site.degraded')).toBe(1);

    // Still broken: the reason stays, no second event.
    await prober.runOnce();
    expect(await events('site.degraded')).toBe(1);

    answer = 200;
    await prober.runOnce();
    expect(await site()).toMatchObject({ status: 'live', statusMessage: null });
    expect(await events('site.live')).toBe(1);
  });

  it('counts a 404 or a 500 of the site itself as served (only gateway errors are the path to it)', async () => {
    await panel.db.site.update({ where: { id: t.siteId }, data: { status: 'live', statusMessage: null } });
    for (const code of [404, 500]) {
      answer = code;
      await prober.runOnce();
      expect((await site()).status).toBe('live');
    }
  });

  it('leaves a tenant alone while a pass is converging it', async () => {
    await panel.db.site.update({ where: { id: t.siteId }, data: { status: 'live', statusMessage: null } });
    answer = 503;
    busy = true;
    await prober.runOnce();
    expect((await site()).status).toBe('live');
    expect(repaired).toEqual([]);
  });

  it('fails a site stuck provisioning past the bound, with the reason and a Retry that the API accepts', async () => {
    await panel.db.site.update({
      where: { id: t.siteId },
      data: { status: 'provisioning', statusMessage: null, statusSince: new Date(Date.now() - 6 * 60_000) },
    });
    await prober.runOnce();
    const stuck = await site();
    expect(stuck).toMatchObject({
      status: 'failed',
      statusMessage: expect.stringMatching(/did not finish within 5 min.*Retry/),
    });
    expect(
      await panel.db.event.findFirst({ where: { action: 'site.failed', targetId: t.siteId }, orderBy: { at: 'desc' } }),
    ).toMatchObject({ result: 'error' });
    const retry = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/retry`);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ status: 'pending' });

    // A site that only just started provisioning is left alone.
    await panel.db.site.update({ where: { id: t.siteId }, data: { status: 'provisioning', statusSince: new Date() } });
    await prober.runOnce();
    expect((await site()).status).toBe('provisioning');
  });

  it('puts a degraded site whose hostnames were all removed back to live (nothing is known broken any more)', async () => {
    await panel.db.site.update({
      where: { id: t.siteId },
      data: { status: 'degraded', statusMessage: 'Visitors of probed.example.test get 502 Bad Gateway from the edge.' },
    });
    const domain = await panel.db.domain.findUniqueOrThrow({ where: { id: t.domainId } });
    await panel.db.domain.delete({ where: { id: t.domainId } });
    try {
      await prober.runOnce();
      expect(await site()).toMatchObject({ status: 'live', statusMessage: null });
    } finally {
      await panel.db.domain.create({ data: domain });
    }
  });

  it('lets a tenant retry a degraded site', async () => {
    await panel.db.site.update({
      where: { id: t.siteId },
      data: { status: 'degraded', statusMessage: 'Visitors of probed.example.test get 502 Bad Gateway from the edge.' },
    });
    const retry = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/retry`);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ status: 'pending', statusMessage: null });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  call,
  login,
  makeTenant,
  startPanel,
  type Caller,
  type TenantFixture,
  type TestPanel,
} from './helpers.js';
import { startDnsServer, type TestDnsServer } from './dns-server.js';

// BERTH_DOMAIN_VERIFICATION=dns against a DNS server of the test's own on 127.0.0.1: a tenant cannot claim
// a hostname it does not control (no edge record, so no certificate), until its DNS says so.
describe('hostname ownership (BERTH_DOMAIN_VERIFICATION=dns)', () => {
  let panel: TestPanel;
  let dns: TestDnsServer;
  let admin: Caller;
  let t: TenantFixture;

  const edgeHosts = async (tenantId: string) => {
    const { PrismaDesiredStore } = await import('../src/control/desired-store.js');
    const { toEdgeTenant } = await import('@berth/reconciler');
    const desired = await new PrismaDesiredStore({ db: panel.db, dataKey: panel.services.dataKey }).loadTenant(
      tenantId,
    );
    return toEdgeTenant(desired!, { tenantsDir: '/srv/tenants', backendHost: '127.0.0.1' }).sites.flatMap((s) =>
      s.domains.map((d) => d.hostname),
    );
  };

  beforeAll(async () => {
    dns = await startDnsServer();
    panel = await startPanel({
      domainVerification: { mode: 'dns', publicIps: ['198.51.100.7'], dnsServers: [`127.0.0.1:${dns.port}`] },
    });
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    t = await makeTenant(panel.app, admin, 'owner');
  });
  afterAll(async () => {
    await panel.close();
    await dns.close();
  });

  it('keeps an unverified hostname off the edge and refuses to verify it without DNS proof', async () => {
    const created = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, {
      hostname: 'victim.example.com',
    });
    expect(created.statusCode).toBe(201);
    const domain = created.json() as {
      id: string;
      verification: { status: string; recordName: string; recordValue: string };
    };
    expect(domain.verification).toMatchObject({ status: 'pending', recordName: '_berth-verify.victim.example.com' });
    expect(domain.verification.recordValue).toMatch(/^berth-verify=[0-9a-f]{32}$/);
    expect(await edgeHosts(t.id)).not.toContain('victim.example.com');

    dns.txt.set('_berth-verify.victim.example.com', ['berth-verify=somebody-elses-token']);
    const refused = await call(panel.app, t.owner, 'POST', `/api/v1/domains/${domain.id}/verify`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      error: { code: 'DOMAIN_NOT_VERIFIED', details: { recordName: '_berth-verify.victim.example.com' } },
    });
    expect(refused.json().error.message).toContain('somebody-elses-token');
    // A tenant cannot vouch for itself.
    expect(
      (await call(panel.app, t.owner, 'POST', `/api/v1/domains/${domain.id}/verify`, { override: true })).statusCode,
    ).toBe(403);
    expect(await edgeHosts(t.id)).not.toContain('victim.example.com');
  });

  it('verifies with the TXT record, and then the edge serves the name', async () => {
    const created = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, {
      hostname: 'mine.example.com',
    });
    const domain = created.json() as { id: string; verification: { recordValue: string } };
    dns.txt.set('_berth-verify.mine.example.com', ['v=spf1 -all', domain.verification.recordValue]);
    const verified = await call(panel.app, t.owner, 'POST', `/api/v1/domains/${domain.id}/verify`, {});
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toMatchObject({ verification: { status: 'verified' } });
    expect(await edgeHosts(t.id)).toContain('mine.example.com');
    const events = (await call(panel.app, t.owner, 'GET', '/api/v1/events?limit=50')).json() as {
      items: { action: string; details: { via?: string } | null }[];
    };
    expect(events.items.find((e) => e.action === 'domain.verify')?.details).toMatchObject({ via: 'txt' });
  });

  it('verifies a name whose address points at this server, and an administrator may vouch for one', async () => {
    const pointed = (
      await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, { hostname: 'pointed.example.com' })
    ).json() as { id: string };
    dns.a.set('pointed.example.com', ['198.51.100.7']);
    expect((await call(panel.app, t.owner, 'POST', `/api/v1/domains/${pointed.id}/verify`, {})).json()).toMatchObject({
      verification: { status: 'verified' },
    });
    const vouched = (
      await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, { hostname: 'intranet.example.net' })
    ).json() as { id: string };
    expect(
      (await call(panel.app, admin, 'POST', `/api/v1/domains/${vouched.id}/verify`, { override: true })).json(),
    ).toMatchObject({ verification: { status: 'verified' } });
    expect(await edgeHosts(t.id)).toEqual(expect.arrayContaining(['pointed.example.com', 'intranet.example.net']));
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  bearer,
  call,
  login,
  makeTenant,
  startPanel,
  type Caller,
  type TenantFixture,
  type TestPanel,
} from './helpers.js';

interface EventItem {
  actor: string;
  action: string;
  ip: string | null;
}

/**
 * The audit trail a tenant reads names what happened to its account, but the addresses of the people and
 * systems that are not its own users (administrators, billing systems, anonymous login attempts) stay with
 * the administrators.
 */
describe('events: IP addresses', () => {
  let panel: TestPanel;
  let admin: Caller;
  let a: TenantFixture;
  const ADMIN_IP = '203.0.113.9';
  const BILLING_IP = '198.51.100.7';
  const TENANT_IP = '192.0.2.44';
  const STRANGER_IP = '192.0.2.200';

  beforeAll(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    a = await makeTenant(panel.app, admin, 'alpha');
    const billing = (
      (await call(panel.app, admin, 'POST', '/api/v1/tokens', { name: 'whmcs', scope: 'billing' })).json() as {
        secret: string;
      }
    ).secret;
    const from = (remoteAddress: string, caller: Caller, method: 'POST' | 'PATCH', url: string, payload?: object) =>
      panel.app.inject({
        method,
        url,
        remoteAddress,
        headers: { ...caller.headers, ...(caller.csrf ? { 'x-csrf-token': caller.csrf } : {}) },
        ...(payload ? { payload } : {}),
      });
    expect(
      (await from(ADMIN_IP, admin, 'PATCH', `/api/v1/tenants/${a.id}`, { name: 'Alpha by admin' })).statusCode,
    ).toBe(200);
    expect((await from(BILLING_IP, bearer(billing), 'POST', `/api/v1/accounts/${a.id}/suspend`)).statusCode).toBe(200);
    expect((await from(BILLING_IP, bearer(billing), 'POST', `/api/v1/accounts/${a.id}/unsuspend`)).statusCode).toBe(
      200,
    );
    expect(
      (await from(TENANT_IP, bearer(a.token), 'PATCH', `/api/v1/tenants/${a.id}`, { varnishEnabled: true })).statusCode,
    ).toBe(200);
    // Someone guessing the owner's password.
    expect(
      (
        await panel.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          remoteAddress: STRANGER_IP,
          payload: { email: a.ownerEmail, password: 'not-the-password-1' },
        })
      ).statusCode,
    ).toBe(401);
  });
  afterAll(async () => {
    await panel.close();
  });

  const ipsOf = (items: EventItem[]) => new Set(items.map((e) => e.ip).filter((ip) => ip !== null));

  it('shows a tenant the addresses of its own users only', async () => {
    for (const caller of [a.owner, bearer(a.token)]) {
      const { items } = (await call(panel.app, caller, 'GET', `/api/v1/events?limit=500`)).json() as {
        items: EventItem[];
      };
      // The events are there, with their actors, just without the foreign addresses.
      expect(items.map((e) => e.action)).toEqual(
        expect.arrayContaining(['tenant.update', 'tenant.suspend', 'tenant.unsuspend', 'auth.login']),
      );
      expect(ipsOf(items)).toEqual(new Set([TENANT_IP, '127.0.0.1']));
      for (const e of items.filter((x) => x.action === 'tenant.suspend' || x.action === 'tenant.unsuspend'))
        expect(e).toMatchObject({ actor: expect.stringMatching(/^token:/), ip: null });
      expect(items.find((e) => e.action === 'tenant.update' && e.ip === null)).toBeDefined();
    }
  });

  it('shows administrators every address', async () => {
    const { items } = (await call(panel.app, admin, 'GET', `/api/v1/events?tenantId=${a.id}&limit=500`)).json() as {
      items: EventItem[];
    };
    expect(ipsOf(items)).toEqual(new Set([ADMIN_IP, BILLING_IP, TENANT_IP, STRANGER_IP, '127.0.0.1']));
  });
});

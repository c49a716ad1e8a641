import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@berth/db';
import { nameEvents } from '../src/events/event-names.js';
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

const NAMED = new Set([
  'site',
  'domain',
  'tenant',
  'database',
  'database-user',
  'cron-job',
  'user',
  'token',
  'plan',
  'webhook',
]);

interface Item {
  actor: string;
  actorName: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  targetName: string | null;
  result: 'ok' | 'error';
  details: Record<string, unknown> | null;
}

/**
 * The activity people read: every event names its actor (email, token name, or only a role for a tenant
 * looking at an administrator) and its target as it is called now, and the list filters by action kind,
 * actor and result.
 */
describe('activity: names, filters', () => {
  let panel: TestPanel;
  let admin: Caller;
  let a: TenantFixture;
  let b: TenantFixture;
  let ownerId: string;

  const events = async (caller: Caller, query = '') => {
    const res = await call(panel.app, caller, 'GET', `/api/v1/events?limit=500${query}`);
    expect(res.statusCode).toBe(200);
    return (res.json() as { items: Item[]; total: number }).items;
  };

  beforeAll(async () => {
    panel = await startPanel();
    const { app } = panel;
    admin = await login(app, ADMIN.email, ADMIN.password);
    a = await makeTenant(app, admin, 'alpha');
    b = await makeTenant(app, admin, 'bravo');
    ownerId = (await panel.db.user.findUniqueOrThrow({ where: { email: a.ownerEmail } })).id;
    // The owner moves its site to PHP 8.4 in the console, a deploy script through its token, an administrator renames the tenant.
    expect(
      (await call(app, a.owner, 'PATCH', `/api/v1/sites/${a.siteId}`, { runtime: { kind: 'php', version: '8.4' } }))
        .statusCode,
    ).toBe(200);
    expect(
      (await call(app, bearer(a.token), 'PATCH', `/api/v1/domains/${a.domainId}`, { wwwRedirect: 'none' })).statusCode,
    ).toBeLessThan(300);
    expect((await call(app, admin, 'PATCH', `/api/v1/tenants/${a.id}`, { name: 'Alpha Ltd' })).statusCode).toBe(200);
    // A refused write: the read-only token tries to delete the site.
    expect((await call(app, bearer(a.readToken), 'DELETE', `/api/v1/sites/${a.siteId}`)).statusCode).toBe(403);
  });

  afterAll(async () => {
    await panel.close();
  });

  it('names actors and targets for the tenant: its own people by email or token name, administrators by role', async () => {
    const items = await events(a.owner);
    const update = items.find((e) => e.action === 'site.update')!;
    expect(update).toMatchObject({
      actor: `user:${ownerId}`,
      actorName: a.ownerEmail,
      targetType: 'site',
      targetName: 'www',
      details: { from: { kind: 'php', version: '8.2' }, runtime: { kind: 'php', version: '8.4' } },
    });
    expect(items.find((e) => e.action === 'domain.update')).toMatchObject({
      actorName: 'full (API token)',
      targetName: a.hostname,
    });
    expect(items.find((e) => e.action === 'tenant.update')).toMatchObject({
      actorName: 'Administrator',
      targetName: 'alpha',
    });
    expect(items.find((e) => e.action === 'tenant.create')).toMatchObject({ actorName: 'Administrator' });
    // The administrator's address never reaches a tenant, nor anything of another tenant.
    const body = JSON.stringify(items);
    expect(body).not.toContain(ADMIN.email);
    expect(body).not.toContain('bravo');
  });

  it('names administrators by email for administrators', async () => {
    const items = await events(admin, `&tenantId=${a.id}`);
    expect(items.find((e) => e.action === 'tenant.update')).toMatchObject({ actorName: ADMIN.email });
    expect(items.find((e) => e.action === 'site.update')).toMatchObject({ actorName: a.ownerEmail, targetName: 'www' });
  });

  it('filters by action kind, actor and result', async () => {
    const sites = await events(a.owner, '&kind=site');
    expect(sites.length).toBeGreaterThanOrEqual(2);
    expect(sites.every((e) => e.action.startsWith('site.'))).toBe(true);
    expect(sites.map((e) => e.action)).toEqual(expect.arrayContaining(['site.create', 'site.update']));

    const mine = await events(a.owner, `&actor=user:${ownerId}`);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.actor === `user:${ownerId}`)).toBe(true);
    expect(mine.map((e) => e.action)).toContain('site.update');

    const refused = await events(a.owner, '&result=error');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.result === 'error')).toBe(true);
    expect(refused.map((e) => e.action)).toContain('delete /api/v1/sites/:id');

    const both = await events(a.owner, `&kind=site&actor=user:${ownerId}`);
    expect(both.map((e) => e.action).sort()).toEqual(['site.create', 'site.update']);

    expect((await call(panel.app, a.owner, 'GET', '/api/v1/events?actor=root')).statusCode).toBe(400);
    expect((await call(panel.app, a.owner, 'GET', '/api/v1/events?kind=site%25')).statusCode).toBe(400);
  });

  it('keeps naming a deleted target from the details the event kept, and leaves targetName null', async () => {
    expect((await call(panel.app, b.owner, 'DELETE', `/api/v1/sites/${b.siteId}`)).statusCode).toBe(200);
    const items = await events(b.owner, '&kind=site');
    const removed = items.find((e) => e.action === 'site.delete')!;
    expect(removed).toMatchObject({ targetId: b.siteId, targetName: null, details: { name: 'www' } });
    expect(items.find((e) => e.action === 'site.create')).toMatchObject({ targetName: null });
  });

  it('names a whole page with one query per kind of actor and target, however many events it holds', async () => {
    const rows = await panel.db.event.findMany({ orderBy: { at: 'desc' } });
    expect(rows.length).toBeGreaterThan(15);
    const calls: string[] = [];
    const counting = new Proxy(panel.db, {
      get(target, model: string) {
        const delegate = Reflect.get(target, model) as unknown;
        if (typeof delegate !== 'object' || delegate === null || !('findMany' in delegate)) return delegate;
        return new Proxy(delegate, {
          get(d, op: string) {
            const fn = Reflect.get(d, op) as unknown;
            if (typeof fn !== 'function') return fn;
            return (...args: unknown[]) => {
              calls.push(`${model}.${op}`);
              return (fn as (...a: unknown[]) => unknown).apply(d, args);
            };
          },
        });
      },
    }) as Db;
    const names = await nameEvents(counting, rows, undefined);
    const kinds = new Set(rows.filter((r) => r.targetId !== null && NAMED.has(r.targetType)).map((r) => r.targetType));
    expect(kinds.size).toBeGreaterThanOrEqual(4);
    // Users and tokens are looked up once as actors and once as targets; every other kind once.
    expect(calls.length).toBe(kinds.size + 2);
    expect(calls).toEqual(expect.arrayContaining(['user.findMany', 'apiToken.findMany', 'site.findMany']));
    expect(names.targets.get(`site:${a.siteId}`)).toBe('www');
    expect(names.targets.get(`tenant:${a.id}`)).toBe('alpha');
    expect(names.actors.get(`user:${ownerId}`)).toBe(a.ownerEmail);
  });
});

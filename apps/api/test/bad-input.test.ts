import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  anonymous,
  call,
  countRows,
  login,
  makeTenant,
  startPanel,
  type Caller,
  type TestPanel,
} from './helpers.js';
import { FakeAppsPort, FakeDatabasePort } from './fake-database-port.js';
import { fillPath, makeQueuedResources, PUBLIC, PUBLIC_BODIES, ROUTES, type Target } from './route-samples.js';

const BAD_HOSTNAMES = [
  'a.com\n}',
  '*.x.com',
  'ex ample.com',
  '-a.com',
  'a-.com',
  `${'a'.repeat(300)}.com`,
  'xn--garbage.com',
  'xn--.com',
  'a..com',
  'localhost',
  '127.0.0.1',
  'a.com:8080',
  'a.com/x',
  'ab--cd.com',
  "a.com';",
  'a.com{',
  '',
  'é'.repeat(70) + '.com',
];

/** LONG_TEXT are fields whose valid values may be longer than 300 characters (a cron job's command: 4096). */
const LONG_TEXT = new Set(['command']);

/** mutationsOf yields (label, bad body) pairs derived from a valid body: each breaks exactly one thing. */
function* mutationsOf(valid: unknown, at: string[] = []): Generator<[string, unknown]> {
  if (typeof valid !== 'object' || valid === null || Array.isArray(valid)) return;
  const record = valid as Record<string, unknown>;
  if (at.length === 0) {
    yield ['unknown field', { ...record, surprise: 'x' }];
    yield ['array body', [record]];
    yield ['string body', 'hello'];
    yield ['null body', null];
  } else {
    yield [`unknown field in ${at.join('.')}`, { ...record, surprise: 'x' }];
  }
  for (const [key, value] of Object.entries(record)) {
    const path = [...at, key].join('.');
    const swap = (v: unknown) => ({ ...record, [key]: v });
    if (typeof value === 'string') {
      yield [`${path} as number`, swap(12345)];
      if (!LONG_TEXT.has(key)) yield [`${path} 300 characters`, swap('x'.repeat(300))];
      yield [`${path} 100k characters`, swap('y'.repeat(100_000))];
      if (key === 'hostname') for (const bad of BAD_HOSTNAMES) yield [`${path} = ${JSON.stringify(bad)}`, swap(bad)];
    } else if (typeof value === 'number') {
      yield [`${path} as string`, swap('12')];
      yield [`${path} negative`, swap(-1)];
      yield [`${path} huge`, swap(1e12)];
      yield [`${path} fractional`, swap(1.5)];
    } else if (typeof value === 'boolean') {
      yield [`${path} as string`, swap('true')];
    } else if (Array.isArray(value)) {
      yield [`${path} as string`, swap('8.2')];
      yield [`${path} with a bad item`, swap([...value, '9.9'])];
    } else if (typeof value === 'object' && value !== null) {
      yield [`${path} as string`, swap('x')];
      for (const [label, nested] of mutationsOf(value, [...at, key])) yield [label, swap(nested)];
    }
  }
}

describe('bad input on every write route', () => {
  let panel: TestPanel;
  let admin: Caller;
  let target: Target;
  beforeAll(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    const a = await makeTenant(panel.app, admin, 'alpha');
    const plan = await panel.db.plan.findFirstOrThrow();
    const token = await panel.db.apiToken.findFirstOrThrow({ where: { userId: { not: undefined } } });
    panel.ports.databases.bind(new FakeDatabasePort());
    panel.ports.apps.bind(new FakeAppsPort());
    const database = (
      await call(panel.app, a.owner, 'POST', '/api/v1/databases', { engine: 'mariadb', name: 'shop', user: 'shop' })
    ).json() as { id: string; user: { id: string } };
    target = {
      a,
      alphaPlanId: plan.id,
      alphaTokenId: token.id,
      databaseId: database.id,
      databaseUserId: database.user.id,
      ...(await makeQueuedResources(panel.app, a)),
    };
  });
  afterAll(async () => {
    await panel.close();
  });

  it('answers 4xx with a code and a message, and writes nothing', async () => {
    const doc = (await call(panel.app, anonymous, 'GET', '/api/v1/openapi.json')).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const writes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => m !== 'get')
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const before = await countRows(panel.db);
    const problems: string[] = [];
    let cases = 0;
    for (const route of writes) {
      const valid = PUBLIC.has(route) ? PUBLIC_BODIES[route] : ROUTES[route]?.body?.(target);
      if (valid === undefined) continue;
      const [method] = route.split(' ');
      const url = fillPath(route, target);
      for (const [label, body] of mutationsOf(valid)) {
        cases++;
        const res = await call(panel.app, admin, method as 'POST', url, body);
        const error = (res.json() as { error?: { code?: string; message?: string } }).error;
        if (res.statusCode < 400 || res.statusCode >= 500 || !error?.code || !error.message) {
          problems.push(`${route} [${label}] → ${res.statusCode} ${res.body.slice(0, 160)}`);
        }
      }
    }
    // Bad ids in the path are refused the same way.
    for (const route of writes.filter((r) => r.includes('{id}'))) {
      const [method, path] = route.split(' ') as [string, string];
      for (const id of ['..%2F..%2Fetc', 'X'.repeat(300), '%00', 'a b']) {
        cases++;
        const res = await call(
          panel.app,
          admin,
          method as 'POST',
          path.replace('{id}', id),
          ROUTES[route]?.body?.(target),
        );
        if (res.statusCode < 400 || res.statusCode >= 500) problems.push(`${route} [id ${id}] → ${res.statusCode}`);
      }
    }
    expect(cases).toBeGreaterThan(200);
    expect(problems).toEqual([]);
    expect(await countRows(panel.db)).toEqual(before);
    // The malformed requests changed nothing of tenant A either.
    const site = (await call(panel.app, admin, 'GET', `/api/v1/sites/${target.a.siteId}`)).json() as {
      runtime: { version: string };
      domains: string[];
    };
    expect(site.runtime.version).toBe('8.2');
    expect(site.domains).toEqual([target.a.hostname]);
  });

  it('names the field in the message and details', async () => {
    const res = await call(panel.app, admin, 'POST', `/api/v1/sites/${target.a.siteId}/domains`, {
      hostname: 'ex ample.com',
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json() as {
      error: { code: string; message: string; details: { issues: { path: string[]; message: string }[] } };
    };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('body.hostname');
    expect(error.details.issues[0]!.path).toEqual(['hostname']);
    expect(error.details.issues[0]!.message).toMatch(/letters, digits, hyphens/);
    const notJson = await panel.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(notJson.statusCode).toBe(400);
    expect((notJson.json() as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    const huge = await panel.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(2_000_000) }),
    });
    expect(huge.statusCode).toBe(413);
    expect((huge.json() as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

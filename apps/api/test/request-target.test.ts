import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, bearer, call, login, makeTenant, startPanel, type TenantFixture, type TestPanel } from './helpers.js';

/**
 * The auth hook must see what the router sees. A request target the router maps onto an /api route
 * (percent-encoded letters, absolute-form `GET http://host/api/...`, dot segments) must be authenticated
 * like the canonical path, and one the router does not map (double slashes) must reach no handler.
 * Absolute-form and dot segments are sent as raw HTTP over a socket: inject would normalise them.
 */

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** raw sends one HTTP/1.1 request exactly as written and reads the whole answer (Connection: close). */
function raw(
  port: number,
  {
    method = 'GET',
    target,
    headers = {},
    body = '',
  }: { method?: string; target: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  const lines = [
    `${method} ${target} HTTP/1.1`,
    'Host: panel.test',
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  if (body) lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headersOut = Object.fromEntries(
        headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers: headersOut, body: rest.join('\r\n\r\n') });
    });
  });
}

describe('request targets the router maps onto /api are authenticated like the canonical path', () => {
  let panel: TestPanel;
  let port: number;
  let a: TenantFixture;

  beforeAll(async () => {
    panel = await startPanel();
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    a = await makeTenant(panel.app, admin, 'alpha');
    await panel.app.listen({ host: '127.0.0.1', port: 0 });
    port = (panel.app.server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await panel.close();
  });

  // Each of these names a protected route; none may answer without credentials.
  const protectedTargets = [
    '/%61pi/v1/runtimes',
    '/%61%70%69/v1/events',
    '/%61pi/v1/sites',
    '/api/v1/%72untimes',
    'http://panel.test/api/v1/runtimes',
    'http://other.example/%61pi/v1/events',
    'HTTP://panel.test/api/v1/sites',
    '/api/v1/./runtimes',
    '/api/v1/nothing/../events',
    '//api/v1/runtimes',
    '/api//v1/events',
    '/api/v1//sites',
    '///api/v1/runtimes',
  ];

  it('answers no protected route to an anonymous caller, whatever the form of the target (raw HTTP)', async () => {
    const leaks: string[] = [];
    for (const target of protectedTargets) {
      const res = await raw(port, { target });
      // 401 where the router maps the target onto a route, 404 where it maps it onto none.
      if (![401, 404].includes(res.status) || res.body.includes('"items"') || res.body.includes('"kinds"'))
        leaks.push(`${target} → ${res.status} ${res.body.slice(0, 80)}`);
    }
    expect(leaks).toEqual([]);
  });

  it('authenticates percent-encoded and absolute-form targets, and the routed ones answer 401 (inject and raw HTTP)', async () => {
    for (const url of ['/%61pi/v1/runtimes', '/%61pi/v1/sites', `/%61pi/v1/sites/${a.siteId}`]) {
      const res = await panel.app.inject({ method: 'GET', url });
      expect(`${url} → ${res.statusCode}`).toBe(`${url} → 401`);
    }
    expect((await raw(port, { target: `http://panel.test/api/v1/sites/${a.siteId}` })).status).toBe(401);
    // A write through an absolute-form target is refused before it does anything.
    const before = await panel.db.site.count();
    const write = await raw(port, {
      method: 'POST',
      target: 'http://panel.test/%61pi/v1/sites',
      body: JSON.stringify({ tenantId: a.id, name: 'sneaky', runtime: { kind: 'static' } }),
    });
    expect(write.status).toBe(401);
    expect(await panel.db.site.count()).toBe(before);
    // With credentials the same targets reach the handler as the caller.
    const ok = await raw(port, {
      target: `http://panel.test/%61pi/v1/sites/${a.siteId}`,
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(ok.status).toBe(200);
  });

  it('applies the CSRF check, the read-only scope and Idempotency-Key to encoded targets too', async () => {
    // A session mutation without the CSRF header through an encoded path is still a CSRF failure.
    const noCsrf = await call(
      panel.app,
      a.owner,
      'POST',
      '/%61pi/v1/tokens',
      { name: 'csrf', scope: 'read' },
      { noCsrf: true },
    );
    expect(noCsrf.statusCode).toBe(403);
    expect((noCsrf.json() as { error: { code: string } }).error.code).toBe('CSRF_TOKEN_INVALID');
    const readOnly = await call(panel.app, bearer(a.readToken), 'POST', '/%61pi/v1/tokens', {
      name: 'escalate',
      scope: 'full',
    });
    expect(readOnly.statusCode).toBe(403);
    // A retried POST with the same key through an absolute-form target is replayed, not run twice.
    const tokensBefore = await panel.db.apiToken.count();
    const send = () =>
      raw(port, {
        method: 'POST',
        target: 'http://panel.test/%61pi/v1/tokens',
        headers: { authorization: `Bearer ${a.token}`, 'idempotency-key': 'absolute-1' },
        body: JSON.stringify({ name: 'once', scope: 'read' }),
      });
    const first = await send();
    const second = await send();
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await panel.db.apiToken.count()).toBe(tokensBefore + 1);
    // The read-only token's refused mutation is in the audit trail under its route.
    expect(
      await panel.db.event.count({
        where: { action: 'post /api/v1/tokens', result: 'error', message: 'HTTP 403', tenantId: a.id },
      }),
    ).toBe(1);
  });
});

import { readFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCaddyConfig } from '../src/build/build-caddy-config.js';
import { NOT_FOUND_BODY } from '../src/build/pages.js';
import { CaddyConfigPusher } from '../src/config-pusher.js';
import type { DesiredEdge, DesiredTenant } from '../src/desired.js';
import { startCaddy } from './caddy-process.js';
import type { CaddyProcess } from './caddy-process.js';
import { httpGet, httpsGet, startEchoUpstream, tlsHandshake, waitFor } from './http-helpers.js';
import type { EchoUpstream } from './http-helpers.js';

// One real Caddy 2.11 (host process, loopback high ports, admin on a unix socket) serving two tenants
// whose "webservers" are node:http echo servers. Every assertion goes through Caddy's listeners.
describe('Caddy edge (real Caddy 2.11)', () => {
  let caddy: CaddyProcess;
  let upstreamA: EchoUpstream;
  let upstreamB: EchoUpstream;
  let pusher: CaddyConfigPusher;
  let rootCa: string;
  let work: string;
  let desired: DesiredEdge;
  const CSS = `${'body { color: #123456; margin: 0 auto; }\n'.repeat(200)}`;

  const tenantA = (): DesiredTenant => desired.tenants.find((t) => t.id === 'ta') as DesiredTenant;
  const tenantB = (): DesiredTenant => desired.tenants.find((t) => t.id === 'tb') as DesiredTenant;

  beforeAll(async () => {
    caddy = await startCaddy();
    work = await mkdtemp(join(tmpdir(), 'berth-edge-'));
    const docroot = join(work, 'ta', 'site1');
    await mkdir(join(docroot, 'static'), { recursive: true });
    await mkdir(join(docroot, 'media'), { recursive: true });
    await writeFile(join(docroot, 'static', 'x.css'), CSS);
    await writeFile(join(docroot, 'static', '.env'), 'SECRET=1\n');
    await writeFile(join(docroot, 'media', 'photo.txt'), 'a photo\n');
    upstreamA = await startEchoUpstream({ tenant: 'ta' });
    upstreamB = await startEchoUpstream({ tenant: 'tb' });
    desired = {
      tenants: [
        {
          id: 'ta',
          status: 'active',
          upstreamPort: upstreamA.port,
          sites: [
            {
              id: 'sa1',
              documentRoot: docroot,
              domains: [
                { id: 'da1', hostname: 'site-a.test', kind: 'primary', wwwRedirect: 'www-to-apex', tls: { mode: 'internal' }, accessLogPath: join(work, 'logs', 'site-a.test.log') },
                { id: 'da2', hostname: 'alias-a.test', kind: 'alias', wwwRedirect: 'none', tls: { mode: 'internal' } },
                { id: 'da3', hostname: 'plain-a.test', kind: 'alias', wwwRedirect: 'none', tls: { mode: 'off' } },
                { id: 'da4', hostname: 'old-a.test', kind: 'redirect', redirectTo: 'https://site-a.test/', redirectStatus: 301, wwwRedirect: 'none', tls: { mode: 'internal' } },
              ],
            },
          ],
        },
        {
          id: 'tb',
          status: 'active',
          upstreamPort: upstreamB.port,
          sites: [{ id: 'sb1', documentRoot: join(work, 'tb', 'site1'), domains: [{ id: 'db1', hostname: 'site-b.test', kind: 'primary', wwwRedirect: 'none', tls: { mode: 'internal' } }] }],
        },
      ],
    };
    pusher = new CaddyConfigPusher({
      client: caddy.client,
      debounceMs: 20,
      buildDesired: async () =>
        buildCaddyConfig({
          desired,
          admin: caddy.admin,
          storage: caddy.storage,
          listen: { host: '127.0.0.1', httpPort: caddy.httpPort, httpsPort: caddy.httpsPort },
          upstream: { tryDuration: '1s', healthCheckInterval: '1s' },
        }),
    });
    const outcome = await pusher.pushNow({ force: true });
    expect(outcome.status).toBe('pushed');
    rootCa = await waitFor(() => readFile(caddy.rootCaPath, 'utf8'), { what: 'local CA root' });
  });

  afterAll(async () => {
    await pusher?.close();
    await upstreamA?.close().catch(() => undefined);
    await upstreamB?.close();
    await caddy?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const getA = (path = '/', headers: Record<string, string> = {}) =>
    waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'site-a.test', path, ca: rootCa, headers }), { what: 'https site-a.test' });

  it('serves HTTPS with an internal-CA certificate that verifies against Caddy root, with X-Forwarded-* set by Caddy', async () => {
    const res = await getA('/hello?x=1', { 'x-forwarded-for': '6.6.6.6' });
    expect(res.status).toBe(200);
    const echo = JSON.parse(res.text) as Record<string, string>;
    expect(echo).toMatchObject({ tenant: 'ta', url: '/hello?x=1', host: 'site-a.test', xForwardedProto: 'https', xForwardedHost: 'site-a.test', xRealIp: '127.0.0.1' });
    // An untrusted client's X-Forwarded-For is replaced, not appended to.
    expect(echo.xForwardedFor).toBe('127.0.0.1');
    expect(res.peerCertificate?.subjectaltname).toContain('DNS:site-a.test');
  });

  it('serves an alias with the same site and redirects www to the apex', async () => {
    const alias = await waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'alias-a.test', ca: rootCa }), { what: 'alias' });
    expect(JSON.parse(alias.text)).toMatchObject({ tenant: 'ta', host: 'alias-a.test' });
    const www = await waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'www.site-a.test', path: '/p?q=1', ca: rootCa }), { what: 'www' });
    expect(www.status).toBe(301);
    expect(www.headers.location).toBe(`https://site-a.test:${caddy.httpsPort}/p?q=1`);
  });

  it('redirects HTTP to HTTPS with 308 and serves a tls:off domain over plain HTTP', async () => {
    const res = await httpGet({ port: caddy.httpPort, host: 'site-a.test', path: '/a/b?c=d' });
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe(`https://site-a.test:${caddy.httpsPort}/a/b?c=d`);
    const plain = await httpGet({ port: caddy.httpPort, host: 'plain-a.test', path: '/x' });
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.text)).toMatchObject({ tenant: 'ta', host: 'plain-a.test', xForwardedProto: 'http' });
  });

  it('answers a redirect-only domain with its redirect, keeping the path', async () => {
    const res = await waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'old-a.test', path: '/blog/1', ca: rootCa }), { what: 'redirect domain' });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('https://site-a.test/blog/1');
  });

  it('serves /static and /media from disk (compressed when asked) while the tenant webserver is down, and hides dotfiles', async () => {
    await getA();
    const port = upstreamA.port;
    await upstreamA.close();
    const gz = await getA('/static/x.css', { 'accept-encoding': 'gzip' });
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(CSS);
    const zs = await getA('/static/x.css', { 'accept-encoding': 'zstd, gzip' });
    expect(zs.headers['content-encoding']).toBe('zstd');
    // Node 20 has no zstd decoder: check the zstd frame magic and that it is smaller than the file.
    expect(zs.body.subarray(0, 4).toString('hex')).toBe('28b52ffd');
    expect(zs.body.length).toBeLessThan(CSS.length);
    const media = await getA('/media/photo.txt');
    expect(media.status).toBe(200);
    expect(media.text).toBe('a photo\n');
    expect((await getA('/static/.env')).status).toBe(404);
    // The dynamic part is down (Caddy retried for try_duration, then gave up).
    expect((await getA('/')).status).toBeGreaterThanOrEqual(502);
    upstreamA = await startEchoUpstream({ tenant: 'ta', port });
    await waitFor(async () => ((await getA('/')).status === 200 ? true : undefined), { what: 'upstream A back' });
  });

  it('shows the suspended page (503 over valid TLS) for a suspended tenant, and the site again after unsuspending', async () => {
    const before = await waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'site-b.test', ca: rootCa }), { what: 'site-b' });
    expect(JSON.parse(before.text)).toMatchObject({ tenant: 'tb' });
    tenantB().status = 'suspended';
    expect((await pusher.schedule()).status).toBe('pushed');
    const suspended = await httpsGet({ port: caddy.httpsPort, host: 'site-b.test', path: '/anything', ca: rootCa });
    expect(suspended.status).toBe(503);
    expect(suspended.headers['content-type']).toContain('text/html');
    expect(suspended.text).toContain('This site is temporarily unavailable');
    expect(suspended.text).not.toContain('tb');
    tenantB().status = 'active';
    expect((await pusher.schedule()).status).toBe('pushed');
    const after = await httpsGet({ port: caddy.httpsPort, host: 'site-b.test', ca: rootCa });
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text)).toMatchObject({ tenant: 'tb' });
  });

  it('gives an unknown host neither a certificate nor any tenant content', async () => {
    await getA();
    const handshake = await tlsHandshake({ port: caddy.httpsPort, servername: 'unknown-host.test' });
    expect(handshake.ok).toBe(false);
    // Known SNI (valid cert) but a Host Berth does not serve: the catch-all, not the SNI's tenant.
    const fronted = await httpsGet({ port: caddy.httpsPort, host: 'unknown-host.test', sni: 'site-a.test', ca: rootCa });
    expect(fronted.status).toBe(404);
    expect(fronted.text).toBe(NOT_FOUND_BODY);
    const plain = await httpGet({ port: caddy.httpPort, host: 'unknown-host.test' });
    expect(plain.status).toBe(404);
    expect(plain.text).toBe(NOT_FOUND_BODY);
    expect(plain.headers.location).toBeUndefined();
  });

  it('writes a JSON access log per domain', async () => {
    await getA('/logged-request');
    const log = await waitFor(
      async () => {
        const text = await readFile(join(work, 'logs', 'site-a.test.log'), 'utf8');
        return text.includes('/logged-request') ? text : undefined;
      },
      { what: 'access log line' },
    );
    const entry = JSON.parse(log.trim().split('\n').find((l) => l.includes('/logged-request')) as string) as { request: { host: string }; status: number };
    expect(entry.request.host).toBe('site-a.test');
    expect(entry.status).toBe(200);
    expect(log).not.toContain('site-b.test');
  });

  it('does not reload Caddy when nothing changed', async () => {
    const pushes = pusher.stats.pushes;
    const outcome = await pusher.schedule();
    expect(outcome.status).toBe('unchanged');
    expect(pusher.stats.pushes).toBe(pushes);
  });

  it('brings every route back after Caddy is killed and restarted empty, with no user action', async () => {
    const watcher = pusher.watch({ intervalMs: 200 });
    try {
      const pidBefore = caddy.pid();
      const recoveries = pusher.stats.recoveries;
      await caddy.restartEmpty();
      expect(caddy.pid()).not.toBe(pidBefore);
      const res = await waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'site-a.test', ca: rootCa }), { what: 'site-a after restart', timeoutMs: 30_000 });
      expect(res.status).toBe(200);
      const b = await httpsGet({ port: caddy.httpsPort, host: 'site-b.test', ca: rootCa });
      expect(JSON.parse(b.text)).toMatchObject({ tenant: 'tb' });
      expect((await httpGet({ port: caddy.httpPort, host: 'plain-a.test' })).status).toBe(200);
      expect(pusher.stats.recoveries).toBeGreaterThan(recoveries);
    } finally {
      watcher.stop();
    }
  });

  it('keeps the tenant A domain count stable (sanity for the route layout)', async () => {
    const live = await caddy.client.getConfig();
    const ids = live.config?.apps.http.servers['berth-server-https']?.routes.map((r) => r['@id']);
    expect(ids).toEqual(['berth-domain-da1', 'berth-domain-da2', 'berth-domain-da4', 'berth-domain-db1', 'berth-catch-all-https']);
    expect(tenantA().sites[0]?.domains).toHaveLength(4);
  });
});

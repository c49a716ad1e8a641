import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredTenant } from '../src/desired.js';
import { buildHostRecords } from '../src/hosts/build-host-records.js';
import { HostTableSync } from '../src/hosts/host-table-sync.js';
import { NOT_FOUND_BODY } from '../src/skeleton/pages.js';
import { startCaddy, type CaddyProcess } from './caddy-process.js';
import { httpGet, httpsGet, startEchoUpstream, tlsHandshake, waitFor, type EchoUpstream } from './http-helpers.js';
import { mintTestCertificate } from './pebble-process.js';

// Berth's Caddy build (host process, loopback high ports, admin on a unix socket) started from the skeleton,
// with two tenants whose "webservers" are node:http echo servers. Every assertion goes through Caddy's
// listeners; hosts are written through the host table's admin endpoints, never into the config.
describe('edge host table (Berth Caddy build)', () => {
  let caddy: CaddyProcess;
  let upstreamA: EchoUpstream;
  let upstreamB: EchoUpstream;
  let sync: HostTableSync;
  let rootCa: string;
  const CSS = `${'body { color: #123456; margin: 0 auto; }\n'.repeat(200)}`;
  let tenantA: DesiredTenant;
  let tenantB: DesiredTenant;
  let docrootA: string;
  let docrootB: string;

  const apply = async (tenant: DesiredTenant) => {
    const { records, problems } = buildHostRecords([tenant], { staticBase: caddy.tenantsDir });
    const result = await sync.applyTenant(tenant.id, records);
    return { ...result, problems };
  };
  const get = (host: string, path = '/') => httpsGet({ port: caddy.httpsPort, host, path, ca: rootCa });

  beforeAll(async () => {
    caddy = await startCaddy({ upstream: { tryDuration: '1s' } });
    docrootA = join(caddy.tenantsDir, 'ta', 'sites', 'sa1', 'public');
    docrootB = join(caddy.tenantsDir, 'tb', 'sites', 'sb1', 'public');
    await mkdir(join(docrootA, 'static', 'img'), { recursive: true });
    await mkdir(join(docrootA, 'media'), { recursive: true });
    await mkdir(join(docrootA, 'assets'), { recursive: true });
    await mkdir(join(docrootB, 'static'), { recursive: true });
    await writeFile(join(docrootA, 'static', 'x.css'), CSS);
    await writeFile(join(docrootA, 'static', '.env'), 'SECRET=1\n');
    await writeFile(join(docrootA, 'media', 'photo.txt'), 'a photo\n');
    await writeFile(join(docrootA, 'assets', 'logo.txt'), 'logo inside the site\n');
    await writeFile(join(docrootB, 'config.php'), '<?php $db_password = "tenant-b-secret";\n');
    // A hostile tenant's links: into Caddy's own storage, into /etc, into another tenant's site, and one
    // that stays inside its own document root (which must keep working).
    await symlink(caddy.storage.root, join(docrootA, 'static', 'storage'));
    await symlink('/etc', join(docrootA, 'static', 'etc'));
    await symlink(docrootB, join(docrootA, 'static', 'other'));
    await symlink('../../assets/logo.txt', join(docrootA, 'static', 'img', 'logo.txt'));
    upstreamA = await startEchoUpstream({ tenant: 'ta' });
    upstreamB = await startEchoUpstream({ tenant: 'tb' });
    tenantA = {
      id: 'ta',
      status: 'active',
      upstream: `127.0.0.1:${upstreamA.port}`,
      sites: [
        {
          id: 'sa1',
          documentRoot: docrootA,
          domains: [
            {
              id: 'da1',
              hostname: 'site-a.test',
              kind: 'primary',
              wwwRedirect: 'www-to-apex',
              tls: { mode: 'internal' },
              accessLog: true,
            },
            { id: 'da2', hostname: 'alias-a.test', kind: 'alias', wwwRedirect: 'none', tls: { mode: 'internal' } },
            { id: 'da3', hostname: 'plain-a.test', kind: 'alias', wwwRedirect: 'none', tls: { mode: 'off' } },
            {
              id: 'da4',
              hostname: 'old-a.test',
              kind: 'redirect',
              redirectTo: 'https://site-a.test',
              redirectStatus: 301,
              wwwRedirect: 'none',
              tls: { mode: 'internal' },
            },
          ],
        },
      ],
    };
    tenantB = {
      id: 'tb',
      status: 'active',
      upstream: `127.0.0.1:${upstreamB.port}`,
      sites: [
        {
          id: 'sb1',
          documentRoot: docrootB,
          domains: [
            { id: 'db1', hostname: 'site-b.test', kind: 'primary', wwwRedirect: 'none', tls: { mode: 'internal' } },
          ],
        },
      ],
    };
    sync = new HostTableSync({ client: caddy.client });
    const { records } = buildHostRecords([tenantA, tenantB], { staticBase: caddy.tenantsDir });
    const replaced = await sync.replaceAll(records);
    expect(replaced.rejected).toEqual([]);
    // The first internal certificate creates the local CA; trust it from then on.
    await waitFor(
      async () => ((await tlsHandshake({ port: caddy.httpsPort, servername: 'site-a.test' })).ok ? true : undefined),
      { what: 'first certificate' },
    );
    rootCa = await readFile(caddy.rootCaPath, 'utf8');
  }, 60_000);

  afterAll(async () => {
    await caddy?.stop();
    await upstreamA?.close();
    await upstreamB?.close();
  });

  it('proxies each host to its own tenant over HTTPS with forwarding headers', async () => {
    const a = await get('site-a.test', '/hello?x=1');
    expect(a.status).toBe(200);
    expect(JSON.parse(a.text)).toMatchObject({
      tenant: 'ta',
      host: 'site-a.test',
      url: '/hello?x=1',
      xForwardedProto: 'https',
      xRealIp: '127.0.0.1',
    });
    expect(JSON.parse((await get('alias-a.test')).text)).toMatchObject({ tenant: 'ta' });
    expect(JSON.parse((await get('site-b.test')).text)).toMatchObject({ tenant: 'tb', host: 'site-b.test' });
    expect(new X509Certificate(a.peerCertificate?.raw as Buffer).issuer).toContain('Caddy Local Authority');
  });

  it('redirects HTTP to HTTPS, www to apex, redirect domains, and serves tls-off hosts over HTTP', async () => {
    const toHttps = await httpGet({ port: caddy.httpPort, host: 'site-a.test', path: '/p?q=1' });
    expect(toHttps.status).toBe(308);
    expect(toHttps.headers.location).toBe(`https://site-a.test:${caddy.httpsPort}/p?q=1`);
    const www = await get('www.site-a.test', '/w?1');
    expect(www.status).toBe(301);
    expect(www.headers.location).toBe(`https://site-a.test:${caddy.httpsPort}/w?1`);
    const old = await get('old-a.test', '/path?k=v');
    expect(old.status).toBe(301);
    expect(old.headers.location).toBe('https://site-a.test/path?k=v');
    const plain = await httpGet({ port: caddy.httpPort, host: 'plain-a.test' });
    expect(JSON.parse(plain.text)).toMatchObject({ tenant: 'ta', xForwardedProto: 'http' });
  });

  it('serves static prefixes from disk compressed, hides dotfiles, and never leaves the site root', async () => {
    const css = await get('site-a.test', '/static/x.css').then(() =>
      httpsGet({
        port: caddy.httpsPort,
        host: 'site-a.test',
        path: '/static/x.css',
        ca: rootCa,
        headers: { 'accept-encoding': 'gzip' },
      }),
    );
    expect(css.status).toBe(200);
    expect(css.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(css.body).toString()).toBe(CSS);
    expect((await get('site-a.test', '/media/photo.txt')).text).toBe('a photo\n');
    expect((await get('site-a.test', '/static/.env')).status).toBe(404);
    // A link that stays inside the site's own document root works.
    expect((await get('site-a.test', '/static/img/logo.txt')).text).toBe('logo inside the site\n');
    // Links out of the root: Caddy's certificate storage (local CA key), /etc, another tenant's files.
    for (const path of [
      '/static/storage/pki/authorities/local/root.key',
      '/static/etc/passwd',
      '/static/other/config.php',
      '/static/../../../sb1/public/config.php',
    ]) {
      const res = await get('site-a.test', path);
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain('PRIVATE KEY');
      expect(res.text).not.toContain('root:');
      expect(res.text).not.toContain('tenant-b-secret');
    }
    // Not a static prefix: goes to the tenant's webserver.
    expect(JSON.parse((await get('site-a.test', '/statics/x.css')).text)).toMatchObject({ tenant: 'ta' });
  });

  it('refuses a document root replaced by a link to another tenant', async () => {
    const hostile = join(caddy.tenantsDir, 'ta', 'sites', 'sa2');
    await mkdir(hostile, { recursive: true });
    await symlink(docrootB, join(hostile, 'public'));
    const tenant: DesiredTenant = {
      ...tenantA,
      sites: [
        ...tenantA.sites,
        {
          id: 'sa2',
          documentRoot: join(hostile, 'public'),
          staticPrefixes: ['/static'],
          domains: [
            { id: 'da9', hostname: 'swap-a.test', kind: 'primary', wwwRedirect: 'none', tls: { mode: 'internal' } },
          ],
        },
      ],
    };
    await writeFile(join(docrootB, 'static', 'b.txt'), 'tenant b static\n');
    expect((await apply(tenant)).rejected).toEqual([]);
    expect((await get('swap-a.test', '/static/b.txt')).status).toBe(404);
    await apply(tenantA);
  });

  it('answers unknown hosts with 404 and no certificate', async () => {
    const http = await httpGet({ port: caddy.httpPort, host: 'unknown.example' });
    expect(http.status).toBe(404);
    expect(http.text).toBe(NOT_FOUND_BODY);
    expect((await tlsHandshake({ port: caddy.httpsPort, servername: 'unknown.example' })).ok).toBe(false);
  });

  it('serves an uploaded certificate only for its own host, never for another tenant name in its SANs', async () => {
    const work = join(caddy.dir, 'certs');
    await mkdir(work, { recursive: true });
    const minted = await mintTestCertificate({ dir: work, name: 'attacker', names: ['evil-a.test', 'site-b.test'] });
    const key = await readFile(minted.keyPath, 'utf8');
    const tenant: DesiredTenant = {
      ...tenantA,
      sites: [
        {
          ...tenantA.sites[0]!,
          domains: [
            ...tenantA.sites[0]!.domains,
            {
              id: 'da5',
              hostname: 'evil-a.test',
              kind: 'alias',
              wwwRedirect: 'none',
              tls: { mode: 'custom', certificatePem: minted.pem, keyPem: key },
            },
          ],
        },
      ],
    };
    expect((await apply(tenant)).rejected).toEqual([]);
    const own = await tlsHandshake({ port: caddy.httpsPort, servername: 'evil-a.test' });
    expect(own.ok && own.cert.fingerprint256).toBe(new X509Certificate(minted.pem).fingerprint256);
    const victim = await get('site-b.test');
    expect(victim.status).toBe(200);
    const served = new X509Certificate(victim.peerCertificate?.raw as Buffer);
    expect(served.fingerprint256).not.toBe(new X509Certificate(minted.pem).fingerprint256);
    expect(served.issuer).toContain('Caddy Local Authority');
    await apply(tenantA);
  });

  it('keeps serving and adding other hosts while one host record is refused', async () => {
    const bad = {
      ...buildHostRecords([tenantB], { staticBase: caddy.tenantsDir }).records[0]!,
      host: 'bad-b.test',
      upstream: 'webserver.internal:80',
    };
    await expect(caddy.client.putHost({ record: bad as never })).rejects.toMatchObject({ status: 400 });
    const etag = await caddy.client.hostsEtag();
    const tenant: DesiredTenant = {
      ...tenantB,
      sites: [
        {
          ...tenantB.sites[0]!,
          domains: [
            ...tenantB.sites[0]!.domains,
            { id: 'db2', hostname: 'new-b.test', kind: 'alias', wwwRedirect: 'none', tls: { mode: 'internal' } },
          ],
        },
      ],
    };
    sync = new HostTableSync({ client: caddy.client });
    await sync.replaceAll(buildHostRecords([tenantA, tenantB], { staticBase: caddy.tenantsDir }).records);
    expect((await apply(tenant)).put).toBe(1);
    expect(await caddy.client.hostsEtag()).not.toBe(etag);
    expect(JSON.parse((await get('new-b.test')).text)).toMatchObject({ tenant: 'tb', host: 'new-b.test' });
    expect((await httpGet({ port: caddy.httpPort, host: 'bad-b.test' })).status).toBe(404);
    await apply(tenantB);
  });

  it('suspends a tenant with the 503 page, without touching the other', async () => {
    await apply({ ...tenantA, status: 'suspended' });
    const res = await get('site-a.test');
    expect(res.status).toBe(503);
    expect(res.text).toContain('temporarily unavailable');
    expect((await get('site-b.test')).status).toBe(200);
    await apply(tenantA);
    expect((await get('site-a.test')).status).toBe(200);
  });

  it('adds and removes a domain 200 times under steady traffic with no failed request and no config reload', async () => {
    const reloadBefore = await caddy.lastReload();
    let stop = false;
    let requests = 0;
    const failures: string[] = [];
    const traffic = (async () => {
      while (!stop) {
        const res = await get(requests % 2 === 0 ? 'site-b.test' : 'alias-a.test').catch((err: Error) => ({
          status: 0,
          text: err.message,
        }));
        requests++;
        if (res.status !== 200) failures.push(`${res.status} ${res.text.slice(0, 80)}`);
      }
    })();
    const churn: DesiredTenant = {
      ...tenantB,
      sites: [
        {
          ...tenantB.sites[0]!,
          domains: [
            ...tenantB.sites[0]!.domains,
            { id: 'dc', hostname: 'churn-b.test', kind: 'alias', wwwRedirect: 'none', tls: { mode: 'internal' } },
          ],
        },
      ],
    };
    for (let i = 0; i < 200; i++) {
      expect((await apply(churn)).put).toBe(1);
      expect((await apply(tenantB)).deleted).toBe(1);
    }
    stop = true;
    await traffic;
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(50);
    expect(await caddy.lastReload()).toBe(reloadBefore);
  }, 120_000);

  it('writes per-host JSON access logs the usage meter can read', async () => {
    await get('site-a.test', '/logged');
    const file = join(caddy.logsDir, 'ta', 'site-a.test.log');
    const line = await waitFor(
      async () => (await readFile(file, 'utf8').catch(() => '')).split('\n').find((l) => l.includes('/logged')),
      { what: 'access log line' },
    );
    const entry = JSON.parse(line) as { ts: number; size: number; status: number; request: { host: string } };
    expect(entry).toMatchObject({ status: 200, request: { host: 'site-a.test' } });
    expect(entry.size).toBeGreaterThan(0);
    expect(Math.abs(entry.ts - Date.now() / 1000)).toBeLessThan(60);
  });

  it('serves every host again from its snapshot after Caddy is killed, with nobody re-syncing', async () => {
    const etag = await caddy.client.hostsEtag();
    await new Promise((r) => setTimeout(r, 500)); // the snapshot is written within a few hundred ms
    await caddy.restart();
    expect(await caddy.client.hostsEtag()).not.toBe(etag); // a new boot: the panel would re-sync
    expect(await sync.inSync()).toBe(false);
    expect(JSON.parse((await get('site-a.test')).text)).toMatchObject({ tenant: 'ta' });
    expect(JSON.parse((await get('site-b.test')).text)).toMatchObject({ tenant: 'tb' });
    expect((await get('www.site-a.test')).status).toBe(301);
  });
});

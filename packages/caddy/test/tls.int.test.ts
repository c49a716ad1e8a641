import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredDomain, DesiredTenant } from '../src/desired.js';
import { buildHostRecords } from '../src/hosts/build-host-records.js';
import { HostTableSync } from '../src/hosts/host-table-sync.js';
import { freePort, startCaddy, type CaddyProcess } from './caddy-process.js';
import { httpGet, httpsGet, startEchoUpstream, tlsHandshake, waitFor, type EchoUpstream } from './http-helpers.js';
import { mintTestCertificate, startPebble, type PebbleProcess } from './pebble-process.js';

// ACME through Pebble on loopback, issued on demand with the host table as the only permission (no panel
// endpoint at all), the internal CA chosen per host, an uploaded certificate, and HTTP→HTTPS.
describe('TLS certificates (Berth Caddy build + Pebble)', () => {
  let caddy: CaddyProcess;
  let pebble: PebbleProcess;
  let upstream: EchoUpstream;
  let work: string;
  let sync: HostTableSync;
  let custom: { certPath: string; keyPath: string; pem: string };
  let tenant: DesiredTenant;

  const push = async (domains: DesiredDomain[]) => {
    tenant = { ...tenant, sites: [{ ...tenant.sites[0]!, domains }] };
    const { records, problems } = buildHostRecords([tenant], { staticBase: caddy.tenantsDir });
    expect(problems).toEqual([]);
    expect((await sync.applyTenant(tenant.id, records)).rejected).toEqual([]);
  };

  beforeAll(async () => {
    const ports = { http: await freePort(), https: await freePort() };
    pebble = await startPebble({ httpPort: ports.http, tlsPort: ports.https });
    caddy = await startCaddy({
      httpPort: ports.http,
      httpsPort: ports.https,
      acme: {
        directory: { url: pebble.directoryUrl },
        email: 'ops@berth.example',
        trustedRootsPemFiles: [pebble.listenerCaPath],
      },
    });
    upstream = await startEchoUpstream({ tenant: 'tls' });
    work = await mkdtemp(join(tmpdir(), 'berth-tls-'));
    custom = await mintTestCertificate({ dir: work, name: 'custom', names: ['custom.example.org'] });
    tenant = {
      id: 'tt',
      status: 'active',
      upstream: `127.0.0.1:${upstream.port}`,
      sites: [{ id: 'st', documentRoot: join(caddy.tenantsDir, 'tt', 'sites', 'st', 'public'), domains: [] }],
    };
    sync = new HostTableSync({ client: caddy.client });
    await sync.replaceAll([]);
    await push([
      { id: 'acme1', hostname: 'shop.example.com', kind: 'primary', wwwRedirect: 'none', tls: { mode: 'auto' } },
      { id: 'int1', hostname: 'intranet.example.com', kind: 'alias', wwwRedirect: 'none', tls: { mode: 'internal' } },
      {
        id: 'cust1',
        hostname: 'custom.example.org',
        kind: 'alias',
        wwwRedirect: 'none',
        tls: { mode: 'custom', certificatePem: custom.pem, keyPem: await readFile(custom.keyPath, 'utf8') },
      },
    ]);
  }, 60_000);

  afterAll(async () => {
    await caddy?.stop();
    await pebble?.stop();
    await upstream?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('obtains an ACME certificate from Pebble at the first handshake, allowed by the host table alone', async () => {
    const pebbleRoot = await pebble.fetchIssuanceRoot();
    const res = await waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'shop.example.com', ca: pebbleRoot }), {
      what: 'ACME certificate',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ tenant: 'tls', host: 'shop.example.com' });
    const leaf = new X509Certificate(res.peerCertificate?.raw as Buffer);
    expect(leaf.subjectAltName).toContain('DNS:shop.example.com');
    expect(leaf.issuer).toContain('Pebble');
  });

  it('issues from the internal CA for an internal-mode host under a public name', async () => {
    const seen = await waitFor(
      async () => {
        const hs = await tlsHandshake({ port: caddy.httpsPort, servername: 'intranet.example.com' });
        return hs.ok ? hs : undefined;
      },
      { what: 'internal certificate' },
    );
    expect(seen.cert.issuer.CN).toContain('Caddy Local Authority');
  });

  it('serves the uploaded certificate for its domain', async () => {
    const res = await waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'custom.example.org', ca: custom.pem }), {
      what: 'custom certificate',
    });
    expect(res.status).toBe(200);
    expect(new X509Certificate(res.peerCertificate?.raw as Buffer).fingerprint256).toBe(
      new X509Certificate(custom.pem).fingerprint256,
    );
  });

  it('redirects HTTP to HTTPS with 308 for ACME and uploaded-certificate domains', async () => {
    for (const host of ['shop.example.com', 'custom.example.org']) {
      const res = await httpGet({ port: caddy.httpPort, host, path: '/cart?id=7' });
      expect(res.status).toBe(308);
      expect(res.headers.location).toBe(`https://${host}:${caddy.httpsPort}/cart?id=7`);
    }
  });

  it('never obtains a certificate for a name that is not in the table', async () => {
    expect((await tlsHandshake({ port: caddy.httpsPort, servername: 'attacker.example.net' })).ok).toBe(false);
    expect(await caddy.readLog()).not.toMatch(/obtain.*attacker\.example\.net/);
  });
});

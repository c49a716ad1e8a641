import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCaddyConfig } from '../src/build/build-caddy-config.js';
import type { BuildCaddyConfigOptions } from '../src/build/options.js';
import { CaddyConfigPusher } from '../src/config-pusher.js';
import type { DesiredDomain, DesiredEdge } from '../src/desired.js';
import { startCaddy } from './caddy-process.js';
import type { CaddyProcess } from './caddy-process.js';
import { httpGet, httpsGet, startEchoUpstream, tlsHandshake, waitFor } from './http-helpers.js';
import type { EchoUpstream } from './http-helpers.js';
import { mintTestCertificate, startPebble } from './pebble-process.js';
import type { PebbleProcess } from './pebble-process.js';

// ACME through Pebble on loopback (eager and on-demand with the permission endpoint), an uploaded
// certificate, and HTTP→HTTPS — all through a real Caddy 2.11.
describe('TLS certificates (real Caddy 2.11 + Pebble)', () => {
  let caddy: CaddyProcess;
  let pebble: PebbleProcess;
  let upstream: EchoUpstream;
  let permission: Server;
  let permissionPort = 0;
  const asked: string[] = [];
  let work: string;
  let pusher: CaddyConfigPusher;
  let custom: { certPath: string; keyPath: string; pem: string };
  const domains: DesiredDomain[] = [];
  let onDemand = false;

  beforeAll(async () => {
    caddy = await startCaddy();
    pebble = await startPebble({ httpPort: caddy.httpPort, tlsPort: caddy.httpsPort });
    upstream = await startEchoUpstream({ tenant: 'tls' });
    work = await mkdtemp(join(tmpdir(), 'berth-tls-'));
    custom = await mintTestCertificate({ dir: work, name: 'custom', names: ['custom.example.org'] });
    // Stand-in for the panel's on-demand permission endpoint: it allows only domains it knows.
    permission = createServer((req, res) => {
      const domain = new URL(req.url ?? '/', 'http://x').searchParams.get('domain') ?? '';
      asked.push(domain);
      res.writeHead(domains.some((d) => d.hostname === domain) ? 200 : 403).end();
    });
    await new Promise<void>((resolve) => permission.listen(0, '127.0.0.1', resolve));
    permissionPort = (permission.address() as { port: number }).port;
    domains.push(
      { id: 'acme1', hostname: 'shop.example.com', kind: 'primary', wwwRedirect: 'none', tls: { mode: 'auto' } },
      { id: 'cust1', hostname: 'custom.example.org', kind: 'alias', wwwRedirect: 'none', tls: { mode: 'custom', certificateFile: custom.certPath, keyFile: custom.keyPath } },
    );
    const desired: DesiredEdge = { tenants: [{ id: 'tt', status: 'active', upstreamPort: upstream.port, sites: [{ id: 'st', documentRoot: '/srv/none', domains }] }] };
    pusher = new CaddyConfigPusher({
      client: caddy.client,
      buildDesired: async () => {
        const options: BuildCaddyConfigOptions = {
          desired,
          admin: caddy.admin,
          storage: caddy.storage,
          listen: { host: '127.0.0.1', httpPort: caddy.httpPort, httpsPort: caddy.httpsPort },
          acme: { directory: { url: pebble.directoryUrl }, email: 'ops@berth.example', trustedRootsPemFiles: [pebble.listenerCaPath] },
          ...(onDemand ? { onDemand: { permissionEndpoint: `http://127.0.0.1:${permissionPort}/internal/caddy/tls-permission` } } : {}),
        };
        return buildCaddyConfig(options);
      },
    });
    expect((await pusher.pushNow()).status).toBe('pushed');
  });

  afterAll(async () => {
    await pusher?.close();
    await caddy?.stop();
    await pebble?.stop();
    await upstream?.close();
    await new Promise((resolve) => permission?.close(resolve));
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('obtains an ACME certificate from Pebble that chains to Pebble issuance root', async () => {
    const pebbleRoot = await pebble.fetchIssuanceRoot();
    const res = await waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'shop.example.com', ca: pebbleRoot }), { what: 'ACME certificate', timeoutMs: 60_000, intervalMs: 250 });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ tenant: 'tls', host: 'shop.example.com' });
    const leaf = new X509Certificate(res.peerCertificate?.raw as Buffer);
    expect(leaf.subjectAltName).toContain('DNS:shop.example.com');
    expect(leaf.issuer).toContain('Pebble');
  });

  it('serves the uploaded certificate for its domain', async () => {
    const res = await waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'custom.example.org', ca: custom.pem }), { what: 'custom certificate' });
    expect(res.status).toBe(200);
    expect(new X509Certificate(res.peerCertificate?.raw as Buffer).fingerprint256).toBe(new X509Certificate(custom.pem).fingerprint256);
  });

  it('redirects HTTP to HTTPS with 308 for ACME and uploaded-certificate domains', async () => {
    for (const host of ['shop.example.com', 'custom.example.org']) {
      const res = await httpGet({ port: caddy.httpPort, host, path: '/cart?id=7' });
      expect(res.status).toBe(308);
      expect(res.headers.location).toBe(`https://${host}:${caddy.httpsPort}/cart?id=7`);
    }
  });

  it('issues on demand only after the permission endpoint allows the name, and never for unknown names', async () => {
    onDemand = true;
    domains.push({ id: 'acme2', hostname: 'ondemand.example.com', kind: 'alias', wwwRedirect: 'none', tls: { mode: 'auto' } });
    expect((await pusher.schedule()).status).toBe('pushed');
    const pebbleRoot = await pebble.fetchIssuanceRoot();
    const res = await waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'ondemand.example.com', ca: pebbleRoot }), { what: 'on-demand certificate', timeoutMs: 60_000, intervalMs: 250 });
    expect(res.status).toBe(200);
    expect(asked).toContain('ondemand.example.com');
    const unknown = await tlsHandshake({ port: caddy.httpsPort, servername: 'attacker.example.net' });
    expect(unknown.ok).toBe(false);
    expect(asked).not.toContain('attacker.example.net');
  });
});

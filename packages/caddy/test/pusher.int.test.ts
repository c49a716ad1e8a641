import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaddyAdminError } from '../src/admin-client.js';
import { buildCaddyConfig } from '../src/build/build-caddy-config.js';
import type { CaddyConfig } from '../src/caddy-config.js';
import { CaddyConfigPusher } from '../src/config-pusher.js';
import type { DesiredDomain, DesiredEdge } from '../src/desired.js';
import { hashConfig } from '../src/stable-hash.js';
import { startCaddy } from './caddy-process.js';
import type { CaddyProcess } from './caddy-process.js';
import { httpsGet, startEchoUpstream, waitFor } from './http-helpers.js';
import type { EchoUpstream } from './http-helpers.js';

describe('CaddyConfigPusher and CaddyAdminClient against real Caddy 2.11', () => {
  let caddy: CaddyProcess;
  let upstream: EchoUpstream;
  let desired: DesiredEdge;
  const domains: DesiredDomain[] = [];
  const build = (): CaddyConfig =>
    buildCaddyConfig({
      desired,
      admin: caddy.admin,
      storage: caddy.storage,
      listen: { host: '127.0.0.1', httpPort: caddy.httpPort, httpsPort: caddy.httpsPort },
    });

  beforeAll(async () => {
    caddy = await startCaddy();
    upstream = await startEchoUpstream({ tenant: 't100' });
    desired = { tenants: [{ id: 't100', status: 'active', upstreamPort: upstream.port, sites: [{ id: 's100', documentRoot: '/srv/none', domains }] }] };
  });

  afterAll(async () => {
    await upstream?.close();
    await caddy?.stop();
  });

  it('applies 100 concurrent domain additions with exactly 100 routes and only a few reloads', async () => {
    const pusher = new CaddyConfigPusher({ client: caddy.client, buildDesired: async () => build() });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          await new Promise((r) => setTimeout(r, Math.random() * 20)); // arrivals spread like API requests
          domains.push({ id: `n${i}`, hostname: `n${i}.burst.test`, kind: 'primary', wwwRedirect: 'none', tls: { mode: 'internal' } });
          return pusher.schedule();
        }),
      );
      expect(outcomes.filter((o) => o.status === 'failed')).toEqual([]);
      const live = await caddy.client.getConfig();
      const routes = live.config?.apps.http.servers['berth-server-https']?.routes ?? [];
      expect(routes.filter((r) => r['@id']?.startsWith('berth-domain-'))).toHaveLength(100);
      expect(hashConfig(live.config)).toBe(hashConfig(build()));
      expect(pusher.stats.pushes).toBeGreaterThanOrEqual(1);
      expect(pusher.stats.pushes).toBeLessThanOrEqual(5);
      const rootCa = await waitFor(() => readFile(caddy.rootCaPath, 'utf8'), { what: 'local CA root' });
      const res = await waitFor(() => httpsGet({ port: caddy.httpsPort, host: 'n99.burst.test', ca: rootCa }), { what: 'n99', timeoutMs: 30_000 });
      expect(JSON.parse(res.text)).toMatchObject({ tenant: 't100', host: 'n99.burst.test' });
    } finally {
      await pusher.close();
    }
  });

  it('load() survives a concurrent writer: the stale If-Match gets 412, it re-reads and applies', async () => {
    const stale = await caddy.client.getConfig();
    // Another writer changes Caddy between our read and our write.
    const other = structuredClone(stale.config) as CaddyConfig;
    other.apps.http.servers['berth-server-https']!.routes.pop();
    await caddy.client.load({ config: other });
    const wanted = build();
    const result = await caddy.client.load({ config: wanted, etag: stale.etag });
    expect(result.attempts).toBe(2);
    expect(hashConfig((await caddy.client.getConfig()).config)).toBe(hashConfig(wanted));
  });

  it('reports a config Caddy refuses as CaddyAdminError with Caddy body, and keeps the old config running', async () => {
    const before = await caddy.client.getConfig();
    const broken = structuredClone(before.config) as CaddyConfig;
    broken.apps.tls.certificates = { load_files: [{ certificate: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' }] };
    const err = await caddy.client.load({ config: broken }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CaddyAdminError);
    expect((err as CaddyAdminError).body).toContain('/nonexistent/cert.pem');
    expect(hashConfig((await caddy.client.getConfig()).config)).toBe(hashConfig(before.config));
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredTenant } from '@berth/reconciler';
import type { DockerDriver } from '@berth/runtime';
import { startCaddy, type CaddyProcess } from '../../../packages/caddy/test/caddy-process.js';
import { httpGet, startEchoUpstream, waitFor, type EchoUpstream } from '../../../packages/caddy/test/http-helpers.js';
import type { Config } from '../src/config.js';
import { createEdgeAdapter, type EdgeAdapter } from '../src/control/edge.adapter.js';
import type { PrismaDesiredStore } from '../src/control/desired-store.js';

// The control plane's edge adapter against an external Berth Caddy (BERTH_EDGE=external): it pushes its
// skeleton, fills the host table from the database, sends one tenant's changes, keeps a bad value to its
// own site, and puts everything back by itself when Caddy restarts.
describe('edge adapter (BERTH_EDGE=external, real Berth Caddy)', () => {
  let caddy: CaddyProcess;
  let upstream: EchoUpstream;
  let dataDir: string;
  let edge: EdgeAdapter;
  let tenants: DesiredTenant[];

  const tenant = (id: string, hostnames: string[], over: Partial<DesiredTenant> = {}): DesiredTenant => ({
    id,
    slug: id,
    uid: 200_100,
    status: 'active',
    webserver: 'nginx',
    varnishEnabled: false,
    ports: { web: upstream.port, cache: 1 },
    plan: {
      cpuMillicores: 500,
      memoryMb: 256,
      pidsLimit: 128,
      phpMaxMemoryMb: 128,
      phpMaxUploadMb: 8,
      phpMaxExecSeconds: 30,
    },
    sites: [
      {
        id: `${id}-site`,
        name: 'www',
        kind: 'php',
        version: '8.2',
        status: 'live',
        settings: { staticPrefixes: [] },
        domains: hostnames.map((hostname, i) => ({
          id: `${id}-d${i}`,
          hostname,
          kind: 'primary' as const,
          redirectTo: null,
          redirectCode: null,
          tls: 'off' as const,
          wwwRedirect: 'none' as const,
          verified: true,
        })),
      },
    ],
    ...over,
  });
  const status = async (host: string) => (await httpGet({ port: caddy.httpPort, host })).status;

  beforeAll(async () => {
    caddy = await startCaddy();
    upstream = await startEchoUpstream({ tenant: 'ext' });
    dataDir = await mkdtemp(join(tmpdir(), 'berth-edge-adapter-'));
    tenants = [tenant('ta', ['a.example.test']), tenant('tb', ['b.example.test'])];
    const config = {
      dataDir,
      edge: { mode: 'external', adminSocket: caddy.adminSocket, storageDir: caddy.storage.root },
      edgePorts: { http: caddy.httpPort, https: caddy.httpsPort },
      acme: { directory: 'letsencrypt', email: undefined, trustedRootsPemFiles: [] },
      listen: { host: '127.0.0.1', port: 8080 },
      panel: { host: null, publicUrl: null },
      dbAdmin: { host: null, publicUrl: null, port: 8081 },
    } as unknown as Config;
    const store = { loadAll: async () => tenants } as unknown as PrismaDesiredStore;
    edge = createEdgeAdapter({
      config,
      driver: {} as DockerDriver,
      store,
      logger: pino({ level: 'silent' }),
      onChanged: () => undefined,
    })!;
    await edge.start();
  }, 30_000);

  afterAll(async () => {
    await edge?.stop();
    await caddy?.stop();
    await upstream?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves every tenant of the database after start, and reports healthy', async () => {
    expect(await status('a.example.test')).toBe(200);
    expect(await status('b.example.test')).toBe(200);
    expect(await edge.health()).toEqual({ ok: true });
  });

  it('sends one tenant’s changes without a config reload', async () => {
    const before = await caddy.lastReload();
    tenants[0] = tenant('ta', ['a.example.test', 'a2.example.test']);
    expect(await edge.sync('ta', tenants[0])).toEqual({ problems: [] });
    expect(await status('a2.example.test')).toBe(200);
    expect(await caddy.lastReload()).toBe(before);
  });

  it('keeps a bad value to its own site: the rest of the tenant and the other tenant are served', async () => {
    const bad = tenant('ta', ['a.example.test', 'a2.example.test']);
    bad.sites.push({
      ...bad.sites[0]!,
      id: 'ta-bad',
      domains: [
        {
          id: 'ta-bad-d',
          hostname: 'bad.example.test',
          kind: 'primary',
          redirectTo: null,
          redirectCode: null,
          tls: 'custom',
          wwwRedirect: 'none',
          verified: true,
          customCertificate: { chainPem: 'not a certificate', keyPem: 'not a key' },
        },
      ],
    });
    const { problems } = await edge.sync('ta', bad);
    expect(problems).toMatchObject([{ siteId: 'ta-bad', host: 'bad.example.test' }]);
    expect(problems[0]!.reason).toMatch(/certificate/);
    expect(await status('a2.example.test')).toBe(200);
    expect(await status('b.example.test')).toBe(200);
    expect(await status('bad.example.test')).toBe(404);
  });

  it('re-syncs by itself after Caddy restarts with another config', async () => {
    await caddy.restart();
    tenants[1] = tenant('tb', ['b.example.test', 'b2.example.test']);
    await waitFor(async () => ((await status('b2.example.test')) === 200 ? true : undefined), {
      what: 'b2 served after the restart',
      timeoutMs: 15_000,
    });
    expect(await status('a2.example.test')).toBe(200);
  });

  it('removes a terminated tenant’s hosts', async () => {
    expect((await edge.sync('tb', null)).problems).toEqual([]);
    expect(await status('b.example.test')).toBe(404);
    expect(await status('a.example.test')).toBe(200);
  });
});

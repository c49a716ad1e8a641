import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'node:http';
import Docker from 'dockerode';
import {
  banCache,
  createDockerDriver,
  ensureTenantRuntime,
  execInContainer,
  observe,
  purgeCache,
  removeTenant,
  sitesDir,
  type DockerDriver,
  type SiteSpec,
  type TenantRuntimeSpec,
} from '../src/index.js';
import { firstHost } from '../src/operations/tenant-network.js';
import {
  BOUNDS,
  LIMITS,
  TENANT_LIMITS,
  freePort,
  httpGet,
  newDriver,
  requireImages,
  uniqueTenantId,
  waitFor200,
} from './helpers.js';

// One tenant (A) with PHP 7.4/8.2/8.4, Node 20 and Python sites behind nginx and Varnish; a second tenant (B)
// on apache. Everything runs on the real engine with the local images and is removed at the end.

const A = uniqueTenantId('ta');
const B = uniqueTenantId('tb');
const PHP_SETTINGS = {
  memoryLimitMb: 128,
  uploadMaxMb: 8,
  postMaxMb: 8,
  maxExecutionSeconds: 30,
  displayErrors: false,
};

let ctx: DockerDriver;
let cleanup: () => Promise<void>;
let specA: TenantRuntimeSpec;
let networksAtStart: { subnet?: string | undefined; gateway?: string | undefined }[] = [];
/** POOL is the panel's default tenant pool; the runtime picks the next free /27 when the preferred one is taken. */
const POOL = (preferredSlot: number) => ({ pool: '10.208.0.0/12', preferredSlot });
let specB: TenantRuntimeSpec;
let webA: number;
let cacheA: number;
let webB: number;

const sitesA: SiteSpec[] = [
  { kind: 'php', siteId: 'p74', hostnames: ['p74.a.test'], version: '7.4', documentRoot: '', php: PHP_SETTINGS },
  {
    kind: 'php',
    siteId: 'p82',
    hostnames: ['p82.a.test', 'www.p82.a.test'],
    version: '8.2',
    documentRoot: 'public',
    php: PHP_SETTINGS,
  },
  { kind: 'php', siteId: 'p84', hostnames: ['p84.a.test'], version: '8.4', documentRoot: '', php: PHP_SETTINGS },
  { kind: 'node', siteId: 'api', hostnames: ['api.a.test'], version: '20', command: ['node', 'server.js'], port: 3000 },
  {
    kind: 'python',
    siteId: 'py',
    hostnames: ['py.a.test'],
    version: '3.11',
    command: ['gunicorn', '-b', '0.0.0.0:8000', '-w', '1', 'app:app'],
    port: 8000,
  },
];

async function writeSiteFiles(tenantId: string, siteId: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(sitesDir(ctx, tenantId), siteId, rel);
    await mkdir(join(path, '..'), { recursive: true, mode: 0o755 });
    await writeFile(path, content, { mode: 0o644 });
  }
}

async function labelled(tenantId: string): Promise<{ containers: number; networks: number; volumes: number }> {
  const label = [`berth.tenant=${tenantId}`];
  const [c, n, v] = await Promise.all([
    ctx.docker.listContainers({ all: true, filters: { label } }),
    ctx.docker.listNetworks({ filters: { label } }),
    ctx.docker.listVolumes({ filters: { label } }),
  ]);
  return { containers: c.length, networks: n.length, volumes: (v.Volumes ?? []).length };
}

beforeAll(async () => {
  ({ ctx, cleanup } = await newDriver());
  await requireImages(ctx, [
    { role: 'webserver', kind: 'nginx' },
    { role: 'webserver', kind: 'apache' },
    { role: 'varnish' },
    { role: 'php-fpm', version: '7.4' },
    { role: 'php-fpm', version: '8.2' },
    { role: 'php-fpm', version: '8.4' },
    { role: 'app', kind: 'node', version: '20' },
    { role: 'app', kind: 'python', version: '3.11' },
  ]);
  [webA, cacheA, webB] = [await freePort(), await freePort(), await freePort()];
  const hello = '<?php header("Content-Type: text/plain"); echo PHP_VERSION;';
  await writeSiteFiles(A, 'p74', { 'index.php': hello });
  await writeSiteFiles(A, 'p82', {
    'public/index.php': hello,
    'public/.env': 'SECRET=1',
    'public/.git/config': '[core]',
    'public/.htpasswd': 'u:x',
  });
  await writeSiteFiles(A, 'p84', {
    'index.php': hello,
    '.env': 'SECRET=1',
    'upload.php':
      '<?php session_start(); $_SESSION["n"] = 1; echo strlen(file_get_contents("php://input")), " ", session_id() !== "" ? "session" : "none";',
  });
  await writeSiteFiles(A, 'api', {
    'server.js':
      "require('http').createServer((q, s) => s.end('node ' + process.version + ' uid ' + process.getuid())).listen(Number(process.env.PORT));",
  });
  await writeSiteFiles(A, 'py', {
    'app.py':
      "import sys, os\ndef app(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [('python %d.%d uid %d' % (sys.version_info[0], sys.version_info[1], os.getuid())).encode()]\n",
  });
  await writeSiteFiles(B, 'shop', { 'index.php': hello });

  specA = {
    tenant: { tenantId: A, uid: 20001, gid: 20001 },
    webserver: { kind: 'nginx', port: webA, limits: LIMITS },
    varnish: { port: cacheA, limits: LIMITS, cacheSizeMb: 32 },
    sites: sitesA,
    php: { bounds: BOUNDS, limits: LIMITS },
    appLimits: LIMITS,
    limits: TENANT_LIMITS,
    // Networks are made as the panel makes them: a /27 of the panel's pool, with its gateway given.
    network: POOL(0),
  };
  specB = {
    tenant: { tenantId: B, uid: 20002, gid: 20002 },
    webserver: { kind: 'apache', port: webB, limits: LIMITS },
    sites: [
      { kind: 'php', siteId: 'shop', hostnames: ['shop.b.test'], version: '8.2', documentRoot: '', php: PHP_SETTINGS },
    ],
    php: { bounds: BOUNDS, limits: LIMITS },
    appLimits: LIMITS,
    limits: TENANT_LIMITS,
    network: POOL(1),
  };
  const [a, b] = await Promise.all([ensureTenantRuntime(ctx, specA), ensureTenantRuntime(ctx, specB)]);
  networksAtStart = [a.network, b.network];
});

const extraTenants: string[] = [];

describe('tenant networks as the panel makes them', () => {
  it("gives each tenant a /27 of the pool with its gateway, which Varnish's purge ACL is built from", () => {
    for (const net of networksAtStart) {
      expect(net.subnet).toMatch(/^10\.(2[01][0-9]|22[0-3])\.\d+\.\d+\/27$/);
      expect(net.gateway).toBe(firstHost(net.subnet!));
    }
  });
});

/** otherTenant is a throwaway tenant id that afterAll removes even when its test fails. */
function otherTenant(): string {
  const id = uniqueTenantId('tc');
  extraTenants.push(id);
  return id;
}

afterAll(async () => {
  if (ctx) {
    for (const id of extraTenants) await removeTenant(ctx, { tenantId: id, deleteSiteFiles: true });
    await removeTenant(ctx, { tenantId: A, deleteSiteFiles: true });
    await removeTenant(ctx, { tenantId: B, deleteSiteFiles: true });
  }
  await cleanup?.();
});

describe('one tenant, three PHP versions, Node and Python behind one nginx', () => {
  it.each([
    ['p74.a.test', '7.4.'],
    ['p82.a.test', '8.2.'],
    ['www.p82.a.test', '8.2.'],
    ['p84.a.test', '8.4.'],
  ])('%s answers PHP %s through the published web port', async (host, prefix) => {
    const res = await waitFor200(webA, host);
    expect(res.body.startsWith(prefix)).toBe(true);
  });

  it('serves the Node 20 app as the tenant uid', async () => {
    const res = await waitFor200(webA, 'api.a.test');
    expect(res.body).toMatch(/^node v20\.\d+\.\d+ uid 20001$/);
  });

  it('serves the Python app as the tenant uid', async () => {
    const res = await waitFor200(webA, 'py.a.test');
    expect(res.body).toBe('python 3.11 uid 20001');
  });

  it.each(['/.env', '/.git/config', '/.htpasswd'])('never serves %s', async (path) => {
    const res = await httpGet(webA, 'p82.a.test', path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('SECRET');
    expect((await httpGet(webA, 'p84.a.test', '/.env')).status).toBe(404);
  });

  it('answers 404 for a host no site owns, and 200 to the edge health check on its published address', async () => {
    expect((await httpGet(webA, 'unknown.test')).status).toBe(404);
    expect((await httpGet(webA, `127.0.0.1:${webA}`, '/.berth/health')).status).toBe(200);
    expect((await httpGet(webA, 'p82.a.test', '/.berth/health')).status).toBe(404);
  });

  it('is idempotent: a second pass changes nothing', async () => {
    const again = await ensureTenantRuntime(ctx, specA);
    expect(Object.values(again.components).map((c) => c.action)).toEqual(
      Object.values(again.components).map(() => 'unchanged'),
    );
    expect(again.removed).toEqual([]);
  });

  it('runs hardened containers with plan limits and only loopback ports', async () => {
    const state = await observe(ctx, { tenantId: A });
    expect(state.containers.map((c) => c.component).sort()).toEqual([
      'app-api',
      'app-py',
      'php-7.4',
      'php-8.2',
      'php-8.4',
      'varnish',
      'webserver',
    ]);
    for (const c of state.containers) {
      const info = await ctx.docker.getContainer(c.id).inspect();
      expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
      expect(info.HostConfig.CapDrop).toEqual(['ALL']);
      expect(info.HostConfig.Memory).toBe(LIMITS.memoryBytes);
      expect(info.HostConfig.PidsLimit).toBe(LIMITS.pids);
      expect(info.HostConfig.NetworkMode).toBe(`berth-${A}`);
      expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
      for (const p of c.ports) expect(p.hostIp).toBe('127.0.0.1');
      if (c.role === 'php-fpm' || c.role === 'app') expect(info.Config.User).toBe('20001:20001');
      expect(info.HostConfig.ReadonlyRootfs).toBe(true);
      expect(info.HostConfig.Tmpfs?.['/tmp']).toMatch(/size=\d+m/);
    }
  });

  it('takes a 2 MiB POST through nginx (spooled to its temp tmpfs) into PHP with a session in /tmp', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 120);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: webA,
          path: '/upload.php',
          method: 'POST',
          headers: { Host: 'p84.a.test', 'Content-Type': 'application/octet-stream', 'Content-Length': body.length },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(res).toEqual({ status: 200, body: `${body.length} session` });
  });

  it('runs every container on a read-only root filesystem: even root writes only to its scratch tmpfs', async () => {
    const state = await observe(ctx, { tenantId: A });
    for (const c of state.containers) {
      const denied = await execInContainer(ctx, c.id, ['sh', '-c', 'touch /usr/berth-probe'], { user: '0' });
      expect(denied.exitCode, c.component).not.toBe(0);
      expect(denied.stderr).toContain('Read-only file system');
      const tmp = await execInContainer(
        ctx,
        c.id,
        ['sh', '-c', 'touch /tmp/berth-probe && rm /tmp/berth-probe && df -m /tmp | tail -1'],
        { user: '0' },
      );
      expect(tmp.exitCode, c.component).toBe(0);
      expect(tmp.stdout).toMatch(/^tmpfs\s+\d+/);
    }
  });
});

describe('Varnish in front of the tenant webserver', () => {
  it('MISS then HIT, PURGE → MISS again', async () => {
    await waitFor200(cacheA, 'p82.a.test', '/?purge-test');
    const first = await httpGet(cacheA, 'p82.a.test', '/?v=1');
    expect(first.headers['x-cache']).toBe('MISS');
    const second = await httpGet(cacheA, 'p82.a.test', '/?v=1');
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body.startsWith('8.2.')).toBe(true);
    await purgeCache(ctx, { tenantId: A, url: 'http://p82.a.test/?v=1' });
    expect((await httpGet(cacheA, 'p82.a.test', '/?v=1')).headers['x-cache']).toBe('MISS');
  });

  it('follows the webserver to a new address (Varnish resolves it only when a VCL is loaded)', async () => {
    // A webserver that comes back at another address (containers restarted in another order take each
    // other's): reconnect it by hand at a free address of the tenant's /27.
    await waitFor200(cacheA, 'p82.a.test', '/?before-move');
    const seen = await observe(ctx, { tenantId: A });
    const web = seen.containers.find((c) => c.component === 'webserver')!;
    const net = seen.networks.find((n) => n.tenantId === A)!;
    const network = ctx.docker.getNetwork(net.id);
    await network.disconnect({ Container: web.id, Force: true });
    const [a, b, c] = net.subnet!.split('/')[0]!.split('.');
    const moved = `${a}.${b}.${c}.${Number(net.subnet!.split('/')[0]!.split('.')[3]) + 29}`;
    await network.connect({
      Container: web.id,
      EndpointConfig: { IPAMConfig: { IPv4Address: moved }, Aliases: ['web'] },
    });
    // Varnish still sends to the old address: 503 Backend fetch failed, or no answer in time.
    expect(
      await httpGet(cacheA, 'p82.a.test', '/?moved=1').then(
        (r) => r.status,
        () => 'no answer',
      ),
    ).not.toBe(200);
    await ensureTenantRuntime(ctx, specA);
    expect((await httpGet(cacheA, 'p82.a.test', '/?moved=2')).status).toBe(200);
  });

  it('passes requests with a login cookie or Authorization (never HIT)', async () => {
    await httpGet(cacheA, 'p74.a.test', '/');
    await httpGet(cacheA, 'p74.a.test', '/');
    for (let i = 0; i < 2; i++) {
      expect(
        (await httpGet(cacheA, 'p74.a.test', '/', { Cookie: 'wordpress_logged_in_abc=1' })).headers['x-cache'],
      ).toBe('MISS');
      expect((await httpGet(cacheA, 'p74.a.test', '/', { Authorization: 'Basic dTpw' })).headers['x-cache']).toBe(
        'MISS',
      );
    }
    // An analytics cookie alone does not prevent caching.
    expect((await httpGet(cacheA, 'p74.a.test', '/', { Cookie: '_ga=GA1.2.3' })).headers['x-cache']).toBe('HIT');
  });

  it('BAN by host and by URL regex invalidates matching objects only', async () => {
    await httpGet(cacheA, 'p84.a.test', '/a.php');
    await httpGet(cacheA, 'p84.a.test', '/');
    await httpGet(cacheA, 'p74.a.test', '/');
    expect((await httpGet(cacheA, 'p84.a.test', '/')).headers['x-cache']).toBe('HIT');
    await banCache(ctx, { tenantId: A, host: 'p84.a.test', urlRegex: '^/$' });
    expect((await httpGet(cacheA, 'p84.a.test', '/')).headers['x-cache']).toBe('MISS');
    expect((await httpGet(cacheA, 'p74.a.test', '/')).headers['x-cache']).toBe('HIT');
    await banCache(ctx, { tenantId: A, host: 'p74.a.test' });
    expect((await httpGet(cacheA, 'p74.a.test', '/')).headers['x-cache']).toBe('MISS');
  });

  it('refuses PURGE without the token even from the allowed address', async () => {
    await httpGet(cacheA, 'p82.a.test', '/?v=2');
    const res = await httpGet(cacheA, 'p82.a.test', '/?v=2', {}, 'PURGE');
    expect(res.status).toBe(403);
    expect((await httpGet(cacheA, 'p82.a.test', '/?v=2')).headers['x-cache']).toBe('HIT');
  });
});

describe('a second tenant on apache, isolated from the first', () => {
  it('serves its PHP site through apache', async () => {
    const res = await waitFor200(webB, 'shop.b.test');
    expect(res.body.startsWith('8.2.')).toBe(true);
    expect((await httpGet(webB, 'shop.b.test', '/.env')).status).toBe(404);
    expect((await httpGet(webB, 'p82.a.test')).status).toBe(404);
    expect((await httpGet(webB, `127.0.0.1:${webB}`, '/.berth/health')).status).toBe(200);
  });

  it("tenant A's PHP container cannot reach tenant B's containers, but reaches its own", async () => {
    const a = await observe(ctx, { tenantId: A });
    const b = await observe(ctx, { tenantId: B });
    const aPhp = a.containers.find((c) => c.component === 'php-8.2');
    expect(aPhp).toBeDefined();
    const targets: Array<[string, number]> = [];
    for (const c of b.containers) {
      const info = await ctx.docker.getContainer(c.id).inspect();
      const ip = info.NetworkSettings.Networks[`berth-${B}`]?.IPAddress;
      expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      targets.push([ip as string, c.role === 'php-fpm' ? 9000 : 80]);
    }
    const probe = (host: string, port: number) =>
      execInContainer(ctx, aPhp!.id, [
        'php',
        '-r',
        `$s=@fsockopen(${JSON.stringify(host)}, ${port}, $e, $m, 2); echo $s ? "open" : "closed";`,
      ]);
    expect((await probe('web', 80)).stdout).toBe('open');
    for (const [ip, port] of targets) expect((await probe(ip, port)).stdout).toBe('closed');
  });
});

describe('typed errors leave nothing behind', () => {
  it('PORT_IN_USE when the web port is taken, and no container or network of the new tenant remains', async () => {
    const C = otherTenant();
    const spec: TenantRuntimeSpec = {
      ...specB,
      tenant: { tenantId: C, uid: 20003, gid: 20003 },
      webserver: { kind: 'nginx', port: webA, limits: LIMITS },
    };
    await expect(ensureTenantRuntime(ctx, spec)).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    expect(await labelled(C)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    await removeTenant(ctx, { tenantId: C, deleteSiteFiles: true });
  });

  it('CONTAINER_FAILED when an app exits at start, with its logs', async () => {
    const C = otherTenant();
    const spec: TenantRuntimeSpec = {
      ...specB,
      tenant: { tenantId: C, uid: 20003, gid: 20003 },
      webserver: { kind: 'nginx', port: await freePort(), limits: LIMITS },
      sites: [
        {
          kind: 'node',
          siteId: 'bad',
          hostnames: ['bad.c.test'],
          version: '20',
          command: ['node', '-e', 'console.error("boom"); process.exit(3)'],
          port: 3000,
        },
      ],
    };
    const err = await ensureTenantRuntime(ctx, spec).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONTAINER_FAILED' });
    expect(JSON.stringify((err as { details?: unknown }).details)).toContain('boom');
    expect(await labelled(C)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    await removeTenant(ctx, { tenantId: C, deleteSiteFiles: true });
  });

  it('IMAGE_MISSING names the image and how to get it', async () => {
    const C = otherTenant();
    const official = createDockerDriver({ dataDir: ctx.dataDir, docker: ctx.docker, profile: 'official' });
    const hasOfficial = await ctx.docker
      .getImage('nginx:1.27')
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (hasOfficial) return; // this host has upstream images; the local profile is what is under test here
    const spec: TenantRuntimeSpec = {
      ...specB,
      tenant: { tenantId: C, uid: 20003, gid: 20003 },
      webserver: { kind: 'nginx', port: await freePort(), limits: LIMITS },
    };
    const err = await ensureTenantRuntime(official, spec).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMAGE_MISSING' });
    expect((err as Error).message).toMatch(/nginx:1\.27|php:8\.2-fpm/);
    expect(await labelled(C)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    await removeTenant(ctx, { tenantId: C, deleteSiteFiles: true });
  });

  it('DOCKER_UNAVAILABLE when the engine socket does not answer', async () => {
    const dead = createDockerDriver({
      dataDir: ctx.dataDir,
      docker: new Docker({ socketPath: '/nonexistent/docker.sock' }),
      profile: 'local',
    });
    await expect(observe(dead, { tenantId: A })).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
  });
});

describe('removal', () => {
  it('removing sites removes their containers and keeps the rest serving', async () => {
    const fewer = { ...specA, sites: sitesA.filter((s) => s.siteId !== 'p84' && s.siteId !== 'py') };
    const res = await ensureTenantRuntime(ctx, fewer);
    expect(res.removed.sort()).toEqual([`berth-${A}-app-py`, `berth-${A}-php-8.4`]);
    expect(res.components.webserver?.action).toBe('reloaded');
    const left = (await observe(ctx, { tenantId: A })).containers.map((c) => c.component).sort();
    expect(left).toEqual(['app-api', 'php-7.4', 'php-8.2', 'varnish', 'webserver']);
    expect((await httpGet(webA, 'p84.a.test')).status).toBe(404);
    expect((await waitFor200(webA, 'p82.a.test')).body.startsWith('8.2.')).toBe(true);
  });

  it('removing a tenant leaves no container, network or volume with its label', async () => {
    await removeTenant(ctx, { tenantId: B, deleteSiteFiles: true });
    expect(await labelled(B)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    await removeTenant(ctx, { tenantId: A, deleteSiteFiles: true });
    expect(await labelled(A)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});

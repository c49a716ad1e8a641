import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, stat, statfs, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  edgePaths,
  ensureEdge,
  ensureTenantDisk,
  ensureTenantRuntime,
  execInContainer,
  observe,
  removeEdge,
  removeTenant,
  sitesDir,
  tenantDir,
  type DockerDriver,
  type TenantRuntimeSpec,
} from '../src/index.js';
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
import { runHostCommand } from '../src/host/host-command.js';

// The plan's disk enforced by the kernel: each tenant's sites/ is its own loop-mounted ext4. A small tenant
// runs out of space inside its PHP-FPM container while another is unaffected; the disk grows online, is
// remounted after a (simulated) reboot, carries files from before disks over, and goes with the tenant. The
// managed edge, started before any of these disks existed, serves files from them (rslave propagation).

const MiB = 1024 * 1024;
const SMALL = uniqueTenantId('td');
const OTHER = uniqueTenantId('td');
const OLD = uniqueTenantId('td');
const PHP_SETTINGS = {
  memoryLimitMb: 128,
  uploadMaxMb: 8,
  postMaxMb: 8,
  maxExecutionSeconds: 30,
  displayErrors: false,
};

let ctx: DockerDriver;
let cleanup: () => Promise<void>;
let edgePort: number;
/** Whether this process may grow a mounted ext4 (CAP_SYS_RESOURCE, bit 24 of CapEff). */
let ONLINE_RESIZE = false;
const specs = new Map<string, TenantRuntimeSpec>();

async function spec(tenantId: string, uid: number, diskMiB: number): Promise<TenantRuntimeSpec> {
  const s: TenantRuntimeSpec = {
    tenant: { tenantId, uid, gid: uid },
    webserver: { kind: 'nginx', port: await freePort(), limits: LIMITS },
    sites: [
      {
        kind: 'php',
        siteId: 'www',
        hostnames: [`www.${tenantId}.test`],
        version: '8.2',
        documentRoot: 'public',
        php: PHP_SETTINGS,
      },
    ],
    php: { bounds: BOUNDS, limits: LIMITS },
    appLimits: LIMITS,
    limits: TENANT_LIMITS,
    disk: { bytes: diskMiB * MiB },
  };
  specs.set(tenantId, s);
  return s;
}

async function php(tenantId: string): Promise<string> {
  const c = (await observe(ctx, { tenantId })).containers.find((x) => x.role === 'php-fpm');
  if (!c) throw new Error(`no PHP-FPM container for ${tenantId}`);
  return c.id;
}

/** dd writes `mib` MiB into the site from inside the tenant's PHP-FPM container, as the tenant. */
function dd(containerId: string, mib: number, name = 'fill.bin') {
  return execInContainer(ctx, containerId, [
    'dd',
    'if=/dev/zero',
    `of=/srv/sites/www/${name}`,
    'bs=1M',
    `count=${mib}`,
    'conv=fsync',
  ]);
}

const mountOf = async (tenantId: string) => {
  const lines = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n');
  return lines.find((l) => l.split(' ')[4] === sitesDir(ctx, tenantId));
};
const sizeOf = async (tenantId: string) => {
  const s = await statfs(sitesDir(ctx, tenantId));
  return s.blocks * s.bsize;
};

async function writePage(tenantId: string, uid: number): Promise<void> {
  const dir = join(sitesDir(ctx, tenantId), 'www', 'public');
  await mkdir(join(dir, 'static'), { recursive: true });
  await writeFile(join(dir, 'index.php'), `<?php echo "disk of ", ${JSON.stringify(tenantId)};`);
  await writeFile(join(dir, 'static', 'hello.txt'), `static from ${tenantId}\n`);
  for (const p of [
    join(sitesDir(ctx, tenantId), 'www'),
    dir,
    join(dir, 'static'),
    join(dir, 'index.php'),
    join(dir, 'static', 'hello.txt'),
  ])
    await chown(p, uid, uid);
}

beforeAll(async () => {
  ({ ctx, cleanup } = await newDriver());
  const capEff = /CapEff:\s*([0-9a-f]+)/.exec(await readFile('/proc/self/status', 'utf8'))?.[1] ?? '0';
  ONLINE_RESIZE = (BigInt(`0x${capEff}`) & (1n << 24n)) !== 0n;
  await requireImages(ctx, [
    { role: 'webserver', kind: 'nginx' },
    { role: 'php-fpm', version: '8.2' },
    { role: 'caddy' },
  ]);
  // The edge first: every disk below is mounted after it started.
  edgePort = await freePort();
  const caddyDir = join(ctx.dataDir, 'caddy');
  const tenantsDir = join(ctx.dataDir, 'tenants');
  const skeleton = {
    admin: { disabled: true },
    apps: {
      http: {
        servers: {
          files: {
            listen: [`127.0.0.1:${edgePort}`],
            routes: [{ handle: [{ handler: 'file_server', root: tenantsDir }] }],
          },
        },
      },
    },
  };
  await ensureEdge(ctx, {
    caddyDir,
    tenantsDir,
    skeleton: JSON.stringify(skeleton),
    httpPort: edgePort,
    httpsPort: await freePort(),
  });
  expect(existsSync(edgePaths(caddyDir).config)).toBe(true);

  await ensureTenantDisk(ctx, { tenantId: SMALL, bytes: 64 * MiB });
  await ensureTenantDisk(ctx, { tenantId: OTHER, bytes: 256 * MiB });
  await writePage(SMALL, 20021);
  await writePage(OTHER, 20022);
  await Promise.all([
    ensureTenantRuntime(ctx, await spec(SMALL, 20021, 64)),
    ensureTenantRuntime(ctx, await spec(OTHER, 20022, 256)),
  ]);
});

afterAll(async () => {
  if (ctx) {
    for (const t of [SMALL, OTHER, OLD]) await removeTenant(ctx, { tenantId: t, deleteSiteFiles: true });
    await removeEdge(ctx);
  }
  await cleanup?.();
});

describe('the plan’s disk, enforced by the kernel', () => {
  it('mounts a filesystem of the plan’s size on sites/, nodev and nosuid, and serves from it', async () => {
    const line = await mountOf(SMALL);
    expect(line).toMatch(/ - ext4 \/dev\/loop\d+ /);
    expect(line!.split(' ')[5]).toMatch(/nosuid,nodev/);
    // ext4 keeps a 4 MiB journal and its tables: a small disk shows about 90 % of its size free.
    expect(await sizeOf(SMALL)).toBeGreaterThan(54 * MiB);
    expect(await sizeOf(SMALL)).toBeLessThanOrEqual(64 * MiB);
    expect((await waitFor200(specs.get(SMALL)!.webserver.port, `www.${SMALL}.test`)).body).toBe(`disk of ${SMALL}`);
  });

  it('fails a write past the limit with "No space left on device", and only for that tenant', async () => {
    const full = await dd(await php(SMALL), 100);
    expect(full.exitCode).not.toBe(0);
    expect(full.stderr).toContain('No space left on device');
    const other = await dd(await php(OTHER), 100);
    expect(other.exitCode, other.stderr).toBe(0);
    // The full tenant still serves, and gets its space back when it deletes.
    expect((await httpGet(specs.get(SMALL)!.webserver.port, `www.${SMALL}.test`)).status).toBe(200);
    expect((await execInContainer(ctx, await php(SMALL), ['rm', '/srv/sites/www/fill.bin'])).exitCode).toBe(0);
    expect((await dd(await php(SMALL), 32)).exitCode).toBe(0);
  });

  it('lets the edge, started before the disk existed, serve static files from it', async () => {
    const res = await httpGet(edgePort, 'edge.test', `/${SMALL}/sites/www/public/static/hello.txt`);
    expect(res).toMatchObject({ status: 200, body: `static from ${SMALL}\n` });
  });

  it('is idempotent: a second pass changes nothing', async () => {
    const again = await ensureTenantDisk(ctx, { tenantId: SMALL, bytes: 64 * MiB });
    expect(again.action).toBe('unchanged');
  });

  it('grows on a plan upgrade without recreating containers (online where the kernel lets the panel)', async () => {
    const before = (await observe(ctx, { tenantId: SMALL })).containers.map((c) => c.id).sort();
    const device = (await mountOf(SMALL))!.split(' - ')[1]!.split(' ')[1];
    const grown = await ensureTenantRuntime(ctx, { ...specs.get(SMALL)!, disk: { bytes: 160 * MiB } });
    expect((await observe(ctx, { tenantId: SMALL })).containers.map((c) => c.id).sort()).toEqual(before);
    if (ONLINE_RESIZE) {
      // resize2fs on the mounted disk: nothing stops, nothing is remounted.
      expect(Object.values(grown.components).map((c) => c.action)).toEqual(['unchanged', 'unchanged']);
      expect((await mountOf(SMALL))!.split(' - ')[1]!.split(' ')[1]).toBe(device);
    } else {
      // Without CAP_SYS_RESOURCE (this kind of sandbox) the disk is grown unmounted: the same containers
      // are stopped for it and started again by the same pass.
      expect(Object.values(grown.components).map((c) => c.action)).toEqual(['started', 'started']);
    }
    expect(await sizeOf(SMALL)).toBeGreaterThan(140 * MiB);
    expect((await waitFor200(specs.get(SMALL)!.webserver.port, `www.${SMALL}.test`)).body).toBe(`disk of ${SMALL}`);
    expect((await dd(await php(SMALL), 100, 'big.bin')).exitCode).toBe(0);
  });

  it('never shrinks below what it has (a downgrade keeps the size)', async () => {
    const res = await ensureTenantDisk(ctx, { tenantId: SMALL, bytes: 64 * MiB });
    expect(res).toMatchObject({ action: 'unchanged', bytes: 160 * MiB, wantedBytes: 64 * MiB });
    expect(await sizeOf(SMALL)).toBeGreaterThan(140 * MiB);
  });

  it('finishes a growth a killed pass left half done (image grown, filesystem not)', async () => {
    await truncate(join(tenantDir(ctx, SMALL), 'disk.img'), 192 * MiB);
    const res = await ensureTenantDisk(ctx, { tenantId: SMALL, bytes: 192 * MiB });
    expect(res.action).toBe('grown');
    expect(await sizeOf(SMALL)).toBeGreaterThan(170 * MiB);
    // Containers an offline growth stopped are started by the tenant's next pass.
    await ensureTenantRuntime(ctx, { ...specs.get(SMALL)!, disk: { bytes: 192 * MiB } });
  });

  it('is mounted again after a reboot, and the bare mount point takes no writes meanwhile', async () => {
    const t = specs.get(SMALL)!;
    for (const c of (await observe(ctx, { tenantId: SMALL })).containers)
      if (c.running) await ctx.docker.getContainer(c.id).stop({ t: 2 });
    await runHostCommand('umount', [], [sitesDir(ctx, SMALL)]);
    expect(await mountOf(SMALL)).toBeUndefined();
    await expect(writeFile(join(sitesDir(ctx, SMALL), 'stray.txt'), 'x')).rejects.toMatchObject({ code: 'EPERM' });
    const res = await ensureTenantRuntime(ctx, { ...t, disk: { bytes: 192 * MiB } });
    expect(
      Object.values(res.components)
        .map((c) => c.action)
        .sort(),
    ).toEqual(['started', 'started']);
    expect(await mountOf(SMALL)).toBeDefined();
    expect((await waitFor200(t.webserver.port, `www.${SMALL}.test`)).body).toBe(`disk of ${SMALL}`);
    expect((await httpGet(edgePort, 'edge.test', `/${SMALL}/sites/www/public/static/hello.txt`)).status).toBe(200);
  });

  it('carries a tenant’s files from before disks into its new disk, owners kept', async () => {
    const dir = join(sitesDir(ctx, OLD), 'www', 'public');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'index.php'), '<?php echo "migrated";');
    for (const p of [sitesDir(ctx, OLD), join(sitesDir(ctx, OLD), 'www'), dir, join(dir, 'index.php')])
      await chown(p, 20023, 20023);
    const s = await spec(OLD, 20023, 64);
    await ensureTenantRuntime(ctx, s);
    expect(await mountOf(OLD)).toMatch(/ - ext4 \/dev\/loop\d+ /);
    expect((await stat(join(dir, 'index.php'))).uid).toBe(20023);
    expect((await waitFor200(s.webserver.port, `www.${OLD}.test`)).body).toBe('migrated');
    expect(existsSync(join(tenantDir(ctx, OLD), 'sites.migrating'))).toBe(false);
  });

  it('unmounts and deletes the disk with the tenant, leaving the other tenant alone', async () => {
    const image = join(tenantDir(ctx, SMALL), 'disk.img');
    await removeTenant(ctx, { tenantId: SMALL, deleteSiteFiles: true });
    expect(await mountOf(SMALL)).toBeUndefined();
    expect(existsSync(image)).toBe(false);
    expect(existsSync(tenantDir(ctx, SMALL))).toBe(false);
    expect(
      (await runHostCommand('losetup', ['--list', '--noheadings', '--output', 'BACK-FILE'], [])).stdout,
    ).not.toContain(image);
    expect((await waitFor200(specs.get(OTHER)!.webserver.port, `www.${OTHER}.test`)).body).toBe(`disk of ${OTHER}`);
  });
});

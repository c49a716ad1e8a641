import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ensureSiteScaffold,
  ensureTenantRuntime,
  execInContainer,
  observe,
  removeTenant,
  type DockerDriver,
  type TenantRuntimeSpec,
} from '../src/index.js';
import { BOUNDS, LIMITS, freePort, newDriver, requireImages, uniqueTenantId, waitFor200 } from './helpers.js';

// One tenant whose plan total (its parent cgroup) is smaller than the sum of its containers' own caps: the
// kernel enforces the total across containers, a plan change reaches the running containers in place, and
// removing the tenant removes the cgroup. Reads the host's cgroup files directly (cgroupfs driver, v1 or v2).

const MiB = 1024 * 1024;
const T = uniqueTenantId('tg');
const PHP_SETTINGS = {
  memoryLimitMb: 128,
  uploadMaxMb: 8,
  postMaxMb: 8,
  maxExecutionSeconds: 30,
  displayErrors: false,
};

let ctx: DockerDriver;
let cleanup: () => Promise<void>;
let spec: TenantRuntimeSpec;
let web: number;
const V2 = existsSync('/sys/fs/cgroup/cgroup.controllers');

const parent = () => `/berth-${ctx.instance}/${T}`;
/** The file that holds one limit of a cgroup path, on either cgroup version. */
function limitFile(path: string, what: 'memory' | 'cpu' | 'pids'): string {
  if (V2) return join('/sys/fs/cgroup', path, { memory: 'memory.max', cpu: 'cpu.max', pids: 'pids.max' }[what]);
  return join(
    '/sys/fs/cgroup',
    what,
    path,
    { memory: 'memory.limit_in_bytes', cpu: 'cpu.cfs_quota_us', pids: 'pids.max' }[what],
  );
}
const readLimit = async (what: 'memory' | 'cpu' | 'pids') =>
  (await readFile(limitFile(parent(), what), 'utf8')).trim().split(' ')[0];

/** memoryCgroupOf reads the memory cgroup of a container's init process as the host sees it. */
async function memoryCgroupOf(containerId: string): Promise<string> {
  const pid = (await ctx.docker.getContainer(containerId).inspect()).State.Pid;
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).trim().split('\n');
  const line = V2
    ? lines.find((l) => l.startsWith('0::'))
    : lines.find((l) => l.split(':')[1]?.split(',').includes('memory'));
  return line!.split(':').slice(2).join(':');
}

/** hog holds `mib` of memory in a PHP container for a moment and says whether it lived to the end. */
async function hog(containerId: string, mib: number): Promise<number> {
  const res = await execInContainer(ctx, containerId, [
    'php',
    '-d',
    'memory_limit=-1',
    '-r',
    `$a = str_repeat("x", ${mib} << 20); usleep(2500000); echo strlen($a);`,
  ]);
  return res.exitCode;
}

async function phpContainers(): Promise<string[]> {
  const state = await observe(ctx, { tenantId: T });
  return state.containers.filter((c) => c.role === 'php-fpm').map((c) => c.id);
}

beforeAll(async () => {
  ({ ctx, cleanup } = await newDriver());
  await requireImages(ctx, [
    { role: 'webserver', kind: 'nginx' },
    { role: 'php-fpm', version: '8.2' },
    { role: 'php-fpm', version: '8.4' },
  ]);
  const info = (await ctx.docker.info()) as { CgroupDriver: string };
  if (info.CgroupDriver !== 'cgroupfs')
    throw new Error(`This test reads cgroupfs paths; the engine uses ${info.CgroupDriver}.`);
  web = await freePort();
  spec = {
    tenant: { tenantId: T, uid: 20011, gid: 20011 },
    webserver: { kind: 'nginx', port: web, limits: LIMITS },
    sites: [
      { kind: 'php', siteId: 'a', hostnames: ['a.cg.test'], version: '8.2', documentRoot: '', php: PHP_SETTINGS },
      { kind: 'php', siteId: 'b', hostnames: ['b.cg.test'], version: '8.4', documentRoot: '', php: PHP_SETTINGS },
    ],
    php: { bounds: BOUNDS, limits: { ...LIMITS, memoryBytes: 256 * MiB } },
    appLimits: LIMITS,
    // Each PHP container may use up to this much on its own; together they may not use more.
    limits: { nanoCpus: 500_000_000, memoryBytes: 192 * MiB, pids: 200 },
  };
  for (const siteId of ['a', 'b']) await ensureSiteScaffold(ctx, spec.tenant, { siteId, kind: 'php' });
  await ensureTenantRuntime(ctx, spec);
});

afterAll(async () => {
  if (ctx) await removeTenant(ctx, { tenantId: T, deleteSiteFiles: true });
  await cleanup?.();
});

describe('per-tenant CPU, memory and process totals', () => {
  it('puts the plan’s totals on the tenant’s parent cgroup', async () => {
    expect(Number(await readLimit('memory'))).toBe(192 * MiB);
    expect(Number(await readLimit('cpu'))).toBe(50_000);
    expect(Number(await readLimit('pids'))).toBe(200);
  });

  it('runs every container of the tenant below it, each with its own cap no larger than the total', async () => {
    const state = await observe(ctx, { tenantId: T });
    expect(state.containers.map((c) => c.component).sort()).toEqual(['php-8.2', 'php-8.4', 'webserver']);
    for (const c of state.containers) {
      expect(await memoryCgroupOf(c.id)).toBe(`${parent()}/${c.id}`);
      const info = await ctx.docker.getContainer(c.id).inspect();
      expect(info.HostConfig.CgroupParent).toBe(parent());
      expect(info.HostConfig.Memory).toBe(c.role === 'php-fpm' ? 192 * MiB : LIMITS.memoryBytes);
    }
    expect((await waitFor200(web, 'a.cg.test')).status).toBe(200);
  });

  it('enforces the total across containers: two PHP containers that each fit alone do not fit together', async () => {
    const [p1, p2] = await phpContainers();
    expect(await hog(p1!, 100)).toBe(0);
    expect(await hog(p2!, 100)).toBe(0);
    const together = await Promise.all([hog(p1!, 100), hog(p2!, 100)]);
    // The kernel's OOM killer picks a victim inside the tenant's cgroup: at least one hog does not finish.
    expect(together.some((code) => code !== 0)).toBe(true);
  });

  it('applies a larger plan to the running containers without recreating them', async () => {
    const before = (await observe(ctx, { tenantId: T })).containers.map((c) => c.id).sort();
    spec = { ...spec, limits: { nanoCpus: 1_000_000_000, memoryBytes: 320 * MiB, pids: 300 } };
    const res = await ensureTenantRuntime(ctx, spec);
    // The webserver's own cap is below both totals; the PHP caps follow the plan up (docker update).
    expect(res.components.webserver?.action).toBe('unchanged');
    expect(res.components['php-8.2']?.action).toBe('updated');
    expect(Number(await readLimit('memory'))).toBe(320 * MiB);
    expect(Number(await readLimit('cpu'))).toBe(100_000);
    expect(Number(await readLimit('pids'))).toBe(300);
    expect((await observe(ctx, { tenantId: T })).containers.map((c) => c.id).sort()).toEqual(before);
    const [p1, p2] = await phpContainers();
    expect(await Promise.all([hog(p1!, 100), hog(p2!, 100)])).toEqual([0, 0]);
  });

  it('applies a smaller plan in place too: the caps above the new total are lowered with docker update', async () => {
    const before = (await observe(ctx, { tenantId: T })).containers.map((c) => c.id).sort();
    spec = { ...spec, limits: { nanoCpus: 250_000_000, memoryBytes: 160 * MiB, pids: 150 } };
    const res = await ensureTenantRuntime(ctx, spec);
    expect(res.components['php-8.2']?.action).toBe('updated');
    expect(res.components.webserver?.action).toBe('updated');
    expect((await observe(ctx, { tenantId: T })).containers.map((c) => c.id).sort()).toEqual(before);
    expect(Number(await readLimit('memory'))).toBe(160 * MiB);
    expect(Number(await readLimit('cpu'))).toBe(25_000);
    for (const id of before) {
      const info = await ctx.docker.getContainer(id).inspect();
      expect(info.HostConfig.Memory).toBeLessThanOrEqual(160 * MiB);
      expect(info.HostConfig.NanoCpus).toBe(250_000_000);
    }
    expect((await waitFor200(web, 'b.cg.test')).status).toBe(200);
  });

  it('removes the parent cgroup with the tenant', async () => {
    const memoryDir = join(limitFile(parent(), 'memory'), '..');
    expect(existsSync(memoryDir)).toBe(true);
    await removeTenant(ctx, { tenantId: T, deleteSiteFiles: true });
    expect(existsSync(memoryDir)).toBe(false);
    expect(existsSync(join(memoryDir, '..'))).toBe(false);
  });
});

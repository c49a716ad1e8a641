/**
 * Disk bench: write throughput inside a tenant's PHP-FPM container, as the tenant, onto its sites with the
 * plan's disk ceiling (its own loop-mounted ext4, `nodev,nosuid,discard`) against the same tenant setup
 * without one (sites a plain directory on the host filesystem), measured in the same run, rounds
 * alternating. Bounded: SEQ_MIB per sequential write, SMALL_FILES small files, ROUNDS rounds, each command
 * capped at CAP_S seconds. Uses the real Docker engine and the local images; removes everything it made.
 *
 *   pnpm tsx bench/disk.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import {
  createDockerDriver,
  ensureSiteScaffold,
  ensureTenantRuntime,
  execInContainer,
  observe,
  releaseTenantsRoot,
  removeTenant,
  type DockerDriver,
  type ResourceLimits,
  type TenantRuntimeSpec,
} from '../packages/runtime/src/index.js';

const MiB = 1024 * 1024;
const SEQ_MIB = Number(process.env.BENCH_SEQ_MIB ?? 256);
const SMALL_FILES = Number(process.env.BENCH_SMALL_FILES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CAP_S = 120;
const DISK_MIB = 1024;
const LIMITS: ResourceLimits = { nanoCpus: 1_000_000_000, memoryBytes: 512 * MiB, pids: 256 };
const PHP = { memoryLimitMb: 128, uploadMaxMb: 8, postMaxMb: 8, maxExecutionSeconds: 30, displayErrors: false };
const BOUNDS = {
  memoryLimitMb: { min: 32, max: 256 },
  uploadMaxMb: { min: 1, max: 64 },
  postMaxMb: { min: 1, max: 64 },
  maxExecutionSeconds: { min: 5, max: 120 },
  maxChildren: 4,
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
    srv.on('error', reject);
  });
}

function spec(tenantId: string, uid: number, port: number, disk: boolean): TenantRuntimeSpec {
  return {
    tenant: { tenantId, uid, gid: uid },
    webserver: { kind: 'nginx', port, limits: LIMITS },
    sites: [
      {
        kind: 'php',
        siteId: 'www',
        hostnames: [`${tenantId}.bench.test`],
        version: '8.2',
        documentRoot: 'public',
        php: PHP,
      },
    ],
    php: { bounds: BOUNDS, limits: LIMITS },
    appLimits: LIMITS,
    limits: LIMITS,
    ...(disk ? { disk: { bytes: DISK_MIB * MiB } } : {}),
  };
}

/** timed runs a shell command in the container as the tenant and returns its wall time in seconds. */
async function timed(ctx: DockerDriver, containerId: string, script: string): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await execInContainer(ctx, containerId, ['sh', '-c', script], { timeoutMs: CAP_S * 1000 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (res.exitCode !== 0) throw new Error(`"${script}" failed (${res.exitCode}): ${res.stderr.trim()}`);
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

interface Sample {
  seqWrite: number[];
  smallWrite: number[];
  smallDelete: number[];
}

async function round(ctx: DockerDriver, containerId: string, into: Sample): Promise<void> {
  const dir = '/srv/sites/www/bench';
  into.seqWrite.push(
    await timed(
      ctx,
      containerId,
      `mkdir -p ${dir} && dd if=/dev/zero of=${dir}/seq.bin bs=1M count=${SEQ_MIB} conv=fdatasync 2>/dev/null`,
    ),
  );
  await timed(ctx, containerId, `rm -f ${dir}/seq.bin`);
  into.smallWrite.push(
    await timed(
      ctx,
      containerId,
      `php -r '$d = "${dir}/small"; @mkdir($d); $b = str_repeat("x", 4096); for ($i = 0; $i < ${SMALL_FILES}; $i++) file_put_contents("$d/f$i", $b);' && sync -f ${dir}`,
    ),
  );
  into.smallDelete.push(await timed(ctx, containerId, `rm -rf ${dir}/small && sync -f ${dir}`));
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-disk-bench-'));
  const ctx = createDockerDriver({ dataDir, profile: 'local' });
  const suffix = randomBytes(3).toString('hex');
  const tenants = { plain: `bench-plain-${suffix}`, disk: `bench-disk-${suffix}` };
  const samples: Record<keyof typeof tenants, Sample> = {
    plain: { seqWrite: [], smallWrite: [], smallDelete: [] },
    disk: { seqWrite: [], smallWrite: [], smallDelete: [] },
  };
  try {
    const ids: Record<string, string> = {};
    for (const [kind, tenantId] of Object.entries(tenants) as Array<[keyof typeof tenants, string]>) {
      const s = spec(tenantId, kind === 'disk' ? 30_801 : 30_800, await freePort(), kind === 'disk');
      await ensureTenantRuntime(ctx, s);
      await ensureSiteScaffold(ctx, s.tenant, { siteId: 'www', kind: 'php', documentRoot: 'public' });
      const php = (await observe(ctx, { tenantId })).containers.find((c) => c.role === 'php-fpm');
      if (!php) throw new Error(`no PHP-FPM container for ${tenantId}`);
      ids[kind] = php.id;
    }
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which side goes first, so page-cache and writeback state do not favour one.
      const order: Array<keyof typeof tenants> = i % 2 === 0 ? ['plain', 'disk'] : ['disk', 'plain'];
      for (const kind of order) await round(ctx, ids[kind]!, samples[kind]);
    }
  } finally {
    for (const tenantId of Object.values(tenants))
      await removeTenant(ctx, { tenantId, deleteSiteFiles: true }).catch(() => undefined);
    await releaseTenantsRoot(ctx).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }

  const rows: string[][] = [];
  const seq = (s: Sample) => SEQ_MIB / median(s.seqWrite);
  const files = (xs: number[]) => SMALL_FILES / median(xs);
  const add = (what: string, plain: number, disk: number, unit: string) =>
    rows.push([what, `${plain.toFixed(0)} ${unit}`, `${disk.toFixed(0)} ${unit}`, `${(disk / plain).toFixed(2)}×`]);
  add(`sequential write ${SEQ_MIB} MiB (dd bs=1M, fdatasync)`, seq(samples.plain), seq(samples.disk), 'MiB/s');
  add(
    `${SMALL_FILES} files of 4 KiB (PHP file_put_contents + sync)`,
    files(samples.plain.smallWrite),
    files(samples.disk.smallWrite),
    'files/s',
  );
  add(
    `delete those ${SMALL_FILES} files (rm -rf + sync)`,
    files(samples.plain.smallDelete),
    files(samples.disk.smallDelete),
    'files/s',
  );
  const widths = [52, 16, 22, 10];
  const row = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i] ?? 10)).join('  ');
  process.stdout.write(
    `Berth disk bench (inside a PHP-FPM 8.2 container as the tenant; medians of ${ROUNDS} rounds; tenant disk ${DISK_MIB} MiB loop-mounted ext4)\n` +
      `${[row(['measure', 'plain directory', 'tenant disk (ceiling)', 'ratio']), row(widths.map((w) => '-'.repeat(w))), ...rows.map(row)].join('\n')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`disk bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

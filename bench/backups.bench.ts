/**
 * Backups and SFTP figures (issue 14), against the built panel as its own process with the real Docker engine,
 * restic in its one-shot containers and the SFTP container (pnpm build and the images first). Bounded by sizes;
 * stops by itself.
 *   pnpm tsx bench/backups.bench.ts      BENCH_SITE_MB=200 BENCH_SFTP_MB=100
 *
 * 1. First backup of a tenant whose site holds BENCH_SITE_MB of files (1 MB files of random bytes): wall time
 *    from "Back up now" to succeeded, and the repository's growth on disk.
 * 2. Incremental backup after 1 % of the files changed (rewritten with new random bytes): time and growth, as a
 *    share of the first (goal: ≤ 10 % of the time, growth ≤ 2 % of the first + the changed bytes).
 * 3. Full restore of the tenant (its site swapped in): wall time from the request to succeeded.
 * 4. SFTP upload of a BENCH_SFTP_MB file (Debian's sftp client, password through sshpass) into the site, against
 *    `cp` of the same file onto the same tenant disk: MB/s and the ratio.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PanelProcess } from '../apps/api/test/panel-process.js';

const SITE_MB = Number(process.env.BENCH_SITE_MB ?? 200);
const SFTP_MB = Number(process.env.BENCH_SFTP_MB ?? 100);
const MB = 1024 * 1024;

function duBytes(dir: string): number {
  const res = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(res.stdout.split('\t')[0]);
}

async function main(): Promise<void> {
  const rows: [string, string, string][] = [];
  // Each row is also printed as it is measured, so a run cut short still shows what it got.
  const push = rows.push.bind(rows);
  rows.push = (...items) => {
    for (const [a, b, c] of items) console.log(`measured: ${a}: ${b} (${c})`);
    return push(...items);
  };
  const panel = await PanelProcess.start({ BERTH_EDGE: 'off' });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-backups-'));
  try {
    const tenant = await panel.api<{ id: string }>('POST', '/tenants', {
      slug: 'bench',
      name: 'Bench',
      owner: { email: 'owner@bench.test', password: 'bench-password-123' },
    });
    const tenantId = tenant.body.id;
    const site = await panel.api<{ id: string }>('POST', '/sites', {
      tenantId,
      name: 'www',
      runtime: { kind: 'static' },
    });
    const siteId = site.body.id;
    await panel.waitFor(
      'the site live',
      async () => (await panel.api<{ status: string }>('GET', `/sites/${siteId}`)).body.status === 'live',
      180_000,
    );
    // The plan's disk must hold the site twice (a restore stages a copy) and the SFTP copies: 10 GB on the default plan.
    const docroot = path.join(panel.dataDir, 'tenants', tenantId, 'sites', siteId, 'public');
    const uid = fs.statSync(docroot).uid;
    for (let i = 0; i < SITE_MB; i++) {
      const file = path.join(docroot, `blob-${String(i).padStart(4, '0')}.bin`);
      fs.writeFileSync(file, randomBytes(MB));
      fs.chownSync(file, uid, uid);
    }
    const repo = path.join(panel.dataDir, 'backups', 'repo');
    const backup = async () => {
      const started = Date.now();
      const res = await panel.api<{ id: string }>('POST', `/tenants/${tenantId}/backups`);
      if (res.status !== 202) throw new Error(res.text);
      await panel.waitFor(
        'the backup',
        async () => {
          const list = await panel.api<{ items: { id: string; status: string; message: string | null }[] }>(
            'GET',
            `/tenants/${tenantId}/backups`,
          );
          const b = list.body.items.find((x) => x.id === res.body.id);
          if (b?.status === 'failed') throw new Error(b.message ?? 'failed');
          return b?.status === 'succeeded';
        },
        1_800_000,
      );
      const ms = Date.now() - started;
      // restic's own time (its summary, in the backup.succeeded event): the wall time adds the fixed cost of the
      // one-shot containers (start, snapshot lookup, retention), which does not grow with the site.
      const events = await panel.api<{
        items: { action: string; targetId: string; details: { durationMs?: number } }[];
      }>('GET', `/events?tenantId=${tenantId}&limit=100`);
      const done = events.body.items.find((e) => e.action === 'backup.succeeded' && e.targetId === res.body.id);
      return { ms, resticMs: done?.details.durationMs ?? NaN, id: res.body.id };
    };
    const before = fs.existsSync(repo) ? duBytes(repo) : 0;
    const first = await backup();
    const afterFirst = duBytes(repo);
    const changed = Math.max(1, Math.round(SITE_MB / 100));
    for (let i = 0; i < changed; i++) {
      fs.writeFileSync(path.join(docroot, `blob-${String((i * 97) % SITE_MB).padStart(4, '0')}.bin`), randomBytes(MB));
    }
    const second = await backup();
    const afterSecond = duBytes(repo);
    const firstGrowth = afterFirst - before;
    const secondGrowth = afterSecond - afterFirst;
    rows.push([
      `first backup of a ${SITE_MB} MB site`,
      `${(first.ms / 1000).toFixed(1)} s wall (restic ${(first.resticMs / 1000).toFixed(1)} s), repository +${(firstGrowth / MB).toFixed(1)} MB`,
      'baseline',
    ]);
    const timeShare = second.ms / first.ms;
    const resticShare = second.resticMs / first.resticMs;
    const sizeBound = 0.02 * firstGrowth + changed * MB;
    rows.push([
      `incremental backup, 1 % changed (${changed} MB)`,
      `${(second.ms / 1000).toFixed(1)} s wall (${(timeShare * 100).toFixed(0)} %), restic ${(second.resticMs / 1000).toFixed(1)} s (${(resticShare * 100).toFixed(0)} %), repository +${(secondGrowth / MB).toFixed(2)} MB`,
      `time ≤ 10 %: wall ${timeShare <= 0.1 ? 'met' : 'NOT met'}, restic ${resticShare <= 0.1 ? 'met' : 'NOT met'}; growth ≤ ${(sizeBound / MB).toFixed(1)} MB: ${secondGrowth <= sizeBound ? 'met' : 'NOT met'}`,
    ]);

    const startedRestore = Date.now();
    const restore = await panel.api<{ id: string }>('POST', `/tenants/${tenantId}/backups/${second.id}/restore`, {
      scope: 'tenant',
    });
    if (restore.status !== 202) throw new Error(restore.text);
    await panel.waitFor(
      'the restore',
      async () => {
        const list = await panel.api<{ items: { id: string; status: string; message: string | null }[] }>(
          'GET',
          `/tenants/${tenantId}/restores`,
        );
        const r = list.body.items.find((x) => x.id === restore.body.id);
        if (r?.status === 'failed') throw new Error(r.message ?? 'failed');
        return r?.status === 'succeeded';
      },
      1_800_000,
    );
    rows.push([
      `full tenant restore of the ${SITE_MB} MB site`,
      `${((Date.now() - startedRestore) / 1000).toFixed(1)} s`,
      'report',
    ]);

    // SFTP against cp onto the same disk.
    const password = await panel.api<{ password: string }>('POST', '/sftp/password', { tenantId });
    await panel.waitFor(
      'the SFTP server',
      async () => (await panel.api<{ active: boolean }>('GET', `/sftp?tenantId=${tenantId}`)).body.active,
      120_000,
    );
    const big = path.join(work, 'big.bin');
    const fd = fs.openSync(big, 'w');
    for (let i = 0; i < SFTP_MB; i++) fs.writeSync(fd, randomBytes(MB));
    fs.closeSync(fd);
    let started = Date.now();
    const cp = spawnSync('cp', [big, path.join(docroot, 'cp-copy.bin')]);
    spawnSync('sync');
    const cpMs = Date.now() - started;
    if (cp.status !== 0) throw new Error(`cp: ${cp.stderr}`);
    const batch = path.join(work, 'batch');
    fs.writeFileSync(batch, `cd ${siteId}/public\nput ${big} sftp-copy.bin\n`);
    started = Date.now();
    const sftp = spawnSync(
      'sshpass',
      [
        '-e',
        'sftp',
        '-P',
        String(panel.sftpPort),
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        // -b turns on BatchMode, which would refuse the password sshpass types; this machine's keys are not tried.
        '-o',
        'BatchMode=no',
        '-o',
        'PubkeyAuthentication=no',
        '-b',
        batch,
        'bench@127.0.0.1',
      ],
      { env: { ...process.env, SSHPASS: password.body.password }, encoding: 'utf8', timeout: 600_000 },
    );
    spawnSync('sync');
    const sftpMs = Date.now() - started;
    if (sftp.status !== 0) {
      const name = spawnSync('docker', ['ps', '--format', '{{.Names}}'], { encoding: 'utf8' })
        .stdout.split('\n')
        .find((n) => n.startsWith('berth-sftp'));
      const log = name ? spawnSync('docker', ['logs', '--tail', '20', name], { encoding: 'utf8' }).stderr : '';
      throw new Error(`sftp: ${sftp.stderr}\nserver log:\n${log}`);
    }
    const rate = (ms: number) => SFTP_MB / (ms / 1000);
    rows.push([`cp of a ${SFTP_MB} MB file onto the tenant disk (MB/s)`, rate(cpMs).toFixed(0), 'baseline']);
    rows.push([
      `SFTP upload of the same file (MB/s)`,
      `${rate(sftpMs).toFixed(0)} (×${(rate(sftpMs) / rate(cpMs)).toFixed(2)} of cp)`,
      'report the ratio',
    ]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await panel.stop();
  }
  console.log(
    `\nBerth backups and SFTP on ${os.cpus().length} cores (node ${process.version}; real Docker, restic 0.14, OpenSSH 9.2)\n`,
  );
  console.log('| measure | result | goal |');
  console.log('|---|---|---|');
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

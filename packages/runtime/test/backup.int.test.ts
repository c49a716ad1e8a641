import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmod,
  chown,
  lchown,
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LABELS, type DockerDriver } from '../src/index.js';
import { RuntimeError } from '../src/errors.js';
import {
  backupKeyFile,
  backupTenant,
  dumpPath,
  ensureBackupRepo,
  extractPaths,
  forgetSnapshots,
  listSnapshots,
  repoStats,
  restorePath,
  restoreSites,
  snapshotContents,
  snapshotSize,
  type BackupResult,
} from '../src/operations/backup.js';
import { newDriver, requireImages, uniqueTenantId } from './helpers.js';

// Tenant backups with real restic in berth/restic containers on the real engine: two tenants' files (a 4 MiB
// random file, a link to /etc/passwd, a mode-000 file) are saved, listed, browsed, partly destroyed and put
// back byte for byte (owned by the tenant, the link still a link), a second backup after a small change adds
// little, single paths are restored and downloaded, and retention forgets the older snapshot. Every container
// is removed by the runtime itself; afterAll checks none of this installation is left.

const UID = 43_210;
const GID = 43_211;
const OTHER_UID = 43_220;

let ctx: DockerDriver;
let cleanup: () => Promise<void>;
let t1: string;
let t2: string;
let extraDir: string;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function sites(tenantId: string): string {
  return join(ctx.dataDir, 'tenants', tenantId, 'sites');
}

/** makeTenant lays out `<dataDir>/tenants/<id>/` as the runtime does: root's 0755, sites/ the tenant's. */
async function makeTenant(tenantId: string, uid: number): Promise<void> {
  await mkdir(join(ctx.dataDir, 'tenants', tenantId), { recursive: true, mode: 0o755 });
  await mkdir(sites(tenantId), { mode: 0o755 });
  await chown(sites(tenantId), uid, uid);
}

/** put writes a tenant file (parents made) owned by uid. */
async function put(path: string, data: Buffer | string, uid = UID, mode = 0o644): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, data);
  await chmod(path, mode);
  await chown(path, uid, uid);
}

/** treeHashes maps every regular file below dir (relative path) to its sha256; links to `-> target`. */
async function treeHashes(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    const full = join(dir, e.name);
    if (e.isSymbolicLink()) out[rel] = `-> ${await readlink(full)}`;
    else if (e.isDirectory()) Object.assign(out, await treeHashes(full, rel));
    else out[rel] = sha(await readFile(full));
  }
  return out;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** tarNames lists the member names of a (ustar/GNU) tar. */
function tarNames(tar: Buffer): string[] {
  const names: string[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    names.push(prefix ? `${prefix}/${name}` : name);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

async function expectRuntimeError(p: Promise<unknown>, code: string, message: RegExp): Promise<RuntimeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RuntimeError);
  expect((err as RuntimeError).code).toBe(code);
  expect((err as RuntimeError).message).toMatch(message);
  return err as RuntimeError;
}

beforeAll(async () => {
  ({ ctx, cleanup } = await newDriver());
  await requireImages(ctx, [{ role: 'backup' }]);
  t1 = uniqueTenantId('bk');
  t2 = uniqueTenantId('bk');
  await makeTenant(t1, UID);
  await makeTenant(t2, OTHER_UID);
  const s1 = join(sites(t1), 's1');
  await put(join(s1, 'public', 'index.php'), '<?php echo "one";\n');
  await put(join(s1, 'public', 'big.bin'), randomBytes(4 * 1024 * 1024));
  await put(join(s1, 'public', 'img', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  await put(join(s1, 'private', 'secret.txt'), 'no one may read this\n', UID, 0o000);
  await symlink('/etc/passwd', join(s1, 'public', 'passwd'));
  await lchown(join(s1, 'public', 'passwd'), UID, GID);
  // 40 small files: the "1 %" the second backup changes is two of them.
  for (let i = 0; i < 40; i++) await put(join(s1, 'public', 'pages', `p${i}.html`), randomBytes(24 * 1024));
  for (const d of ['public', 'public/img', 'public/pages', 'private']) await chown(join(s1, d), UID, GID);
  await chown(s1, UID, GID);
  await put(join(sites(t1), 's2', 'public', 'index.html'), '<h1>two</h1>\n');
  await put(join(sites(t2), 'shop', 'public', 'other-tenant.txt'), 'tenant two only\n', OTHER_UID);
  // An extra folder the panel prepared (database dumps), root's.
  extraDir = join(ctx.dataDir, 'backup-work', 'databases');
  await mkdir(extraDir, { recursive: true, mode: 0o700 });
  await writeFile(join(extraDir, 'shop.sql'), '-- dump\nCREATE TABLE t (id int);\n', { mode: 0o600 });
});

afterAll(async () => {
  if (!ctx) return;
  const left = await ctx.docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.managed}=${ctx.instance}`] },
  });
  for (const c of left) await ctx.docker.getContainer(c.Id).remove({ force: true, v: true });
  await cleanup();
  expect(left.map((c) => c.Names[0])).toEqual([]);
});

describe('tenant backups with restic', () => {
  let first: BackupResult;
  let second: BackupResult;
  let before: Record<string, string>;
  let rawAfterFirst: number;

  it('creates the repository once, with a private password file', async () => {
    const a = await ensureBackupRepo(ctx);
    expect(a).toEqual({ repo: join(ctx.dataDir, 'backups', 'repo'), created: true });
    expect(await ensureBackupRepo(ctx)).toEqual({ repo: a.repo, created: false });
    expect((await stat(backupKeyFile(ctx))).mode & 0o777).toBe(0o600);
    expect((await stat(a.repo)).mode & 0o777).toBe(0o700);
  });

  it('backs up a tenant and lists the snapshot with its tags; another tenant stays out', async () => {
    before = await treeHashes(join(sites(t1), 's1'));
    first = await backupTenant(ctx, {
      tenantId: t1,
      extra: [{ name: 'databases', hostPath: extraDir }],
      tags: ['nightly'],
    });
    expect(first.snapshotId).toMatch(/^[0-9a-f]{64}$/);
    expect(first.filesNew).toBeGreaterThanOrEqual(46);
    expect(first.totalBytes).toBeGreaterThan(4 * 1024 * 1024);
    expect(first.warnings).toEqual([]);
    await backupTenant(ctx, { tenantId: t2 });

    const mine = await listSnapshots(ctx, { tenantId: t1 });
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: first.snapshotId, tenantId: t1, hostname: t1, time: first.time });
    expect(mine[0]!.tags.sort()).toEqual(['berth', 'nightly', `tenant=${t1}`]);
    expect(mine[0]!.paths.sort()).toEqual(['/data/databases', '/data/sites']);
    expect((await listSnapshots(ctx)).map((s) => s.tenantId).sort()).toEqual([t1, t2].sort());

    const top = await snapshotContents(ctx, { snapshotId: first.snapshotId, path: '/data/sites', tenantId: t1 });
    expect(top.map((e) => e.path)).toEqual(['/data/sites/s1', '/data/sites/s2']);
    const pub = await snapshotContents(ctx, { snapshotId: first.snapshotId, path: '/data/sites/s1/public' });
    expect(pub.find((e) => e.path.endsWith('/passwd'))?.type).toBe('symlink');
    expect(pub.find((e) => e.path.endsWith('/big.bin'))).toMatchObject({ type: 'file', size: 4 * 1024 * 1024 });
    // The whole snapshot as a tar: tenant two's file is nowhere in it.
    const all = tarNames(await readAll(await dumpPath(ctx, { snapshotId: first.snapshotId, path: '/data' })));
    expect(all).toContain('data/databases/shop.sql');
    expect(all.some((n) => n.includes('other-tenant'))).toBe(false);
    // Tenant two cannot browse, size or download tenant one's snapshot.
    await expectRuntimeError(
      snapshotContents(ctx, { snapshotId: first.snapshotId, path: '/data/sites', tenantId: t2 }),
      'INVALID_INPUT',
      /not a backup of tenant/,
    );
    await expectRuntimeError(
      snapshotSize(ctx, { snapshotId: first.snapshotId, tenantId: t2 }),
      'INVALID_INPUT',
      /not a backup of tenant/,
    );
    await expectRuntimeError(
      readAll(
        await dumpPath(ctx, { snapshotId: first.snapshotId, path: '/data/sites/s1/public/index.php', tenantId: t2 }),
      ),
      'INVALID_INPUT',
      /not a backup of tenant/,
    );
    const size = await snapshotSize(ctx, { snapshotId: first.snapshotId, tenantId: t1 });
    expect(size.totalSize).toBeGreaterThan(4 * 1024 * 1024);
    rawAfterFirst = (await repoStats(ctx)).totalSize;
  });

  it('restores one site byte for byte, owned by the tenant, and leaves the other alone', async () => {
    const s1 = join(sites(t1), 's1');
    await rm(join(s1, 'public', 'big.bin'));
    await rm(join(s1, 'public', 'passwd'));
    await rm(join(s1, 'public', 'img'), { recursive: true });
    await put(join(s1, 'public', 'index.php'), 'defaced');
    await put(join(s1, 'public', 'dropped.php'), 'malware');
    await put(join(sites(t1), 's2', 'public', 'index.html'), '<h1>two, edited</h1>\n');

    // A site the snapshot lacks: refused, nothing changed.
    await expectRuntimeError(
      restoreSites(ctx, {
        tenantId: t1,
        snapshotId: first.snapshotId,
        siteIds: ['s1', 'nope'],
        owner: { uid: UID, gid: GID },
      }),
      'INVALID_INPUT',
      /holds no site nope; nothing was restored/,
    );
    expect(await readFile(join(s1, 'public', 'index.php'), 'utf8')).toBe('defaced');
    // Another tenant's snapshot is never restored into this tenant.
    const other = (await listSnapshots(ctx, { tenantId: t2 }))[0]!;
    await expectRuntimeError(
      restoreSites(ctx, { tenantId: t1, snapshotId: other.id, siteIds: ['shop'], owner: { uid: UID, gid: GID } }),
      'INVALID_INPUT',
      /not a backup of tenant/,
    );

    await restoreSites(ctx, {
      tenantId: t1,
      snapshotId: first.snapshotId,
      siteIds: ['s1'],
      owner: { uid: UID, gid: GID },
    });
    expect(await treeHashes(s1)).toEqual(before);
    const link = await lstat(join(s1, 'public', 'passwd'));
    expect(link.isSymbolicLink()).toBe(true);
    expect(await readlink(join(s1, 'public', 'passwd'))).toBe('/etc/passwd');
    expect(link.uid).toBe(UID);
    const secret = await stat(join(s1, 'private', 'secret.txt'));
    expect({ mode: secret.mode & 0o777, uid: secret.uid, gid: secret.gid }).toEqual({ mode: 0, uid: UID, gid: GID });
    for (const p of ['', 'public', 'public/big.bin', 'public/img/logo.svg'])
      expect((await lstat(join(s1, p))).uid).toBe(UID);
    // Site two keeps its edit; no staging or trash dir is left.
    expect(await readFile(join(sites(t1), 's2', 'public', 'index.html'), 'utf8')).toBe('<h1>two, edited</h1>\n');
    expect((await readdir(sites(t1))).sort()).toEqual(['s1', 's2']);
  });

  it('a second backup after a 1 % change adds little to the repository', async () => {
    const pages = join(sites(t1), 's1', 'public', 'pages');
    await put(join(pages, 'p0.html'), randomBytes(24 * 1024));
    await put(join(pages, 'p1.html'), randomBytes(24 * 1024));
    second = await backupTenant(ctx, { tenantId: t1, extra: [{ name: 'databases', hostPath: extraDir }] });
    const rawAfterSecond = (await repoStats(ctx)).totalSize;
    // Restored files have new inodes, so restic reads them again, but stores none of their data twice.
    expect(second.filesChanged + second.filesUnmodified).toBe(first.filesNew);
    expect(second.totalBytes).toBeGreaterThan(5_000_000);
    // 48 KiB of new file data, plus the changed trees and index: far below the 5 MB the snapshot holds.
    expect(second.dataAddedBytes).toBeLessThan(200 * 1024);
    expect(rawAfterSecond - rawAfterFirst).toBeLessThan(300 * 1024);
  });

  it('restores a single file and a folder into the live site', async () => {
    const s1 = join(sites(t1), 's1');
    await rm(join(s1, 'public', 'index.php'));
    await restorePath(ctx, {
      tenantId: t1,
      snapshotId: first.snapshotId,
      siteId: 's1',
      path: 'public/index.php',
      owner: { uid: UID, gid: GID },
    });
    expect(await readFile(join(s1, 'public', 'index.php'), 'utf8')).toBe('<?php echo "one";\n');
    expect((await stat(join(s1, 'public', 'index.php'))).uid).toBe(UID);

    await put(join(s1, 'public', 'img', 'logo.svg'), 'changed');
    await put(join(s1, 'public', 'img', 'new.png'), 'new');
    await restorePath(ctx, {
      tenantId: t1,
      snapshotId: first.snapshotId,
      siteId: 's1',
      path: 'public/img',
      owner: { uid: UID, gid: GID },
    });
    expect(await readdir(join(s1, 'public', 'img'))).toEqual(['logo.svg']);
    expect(await readFile(join(s1, 'public', 'img', 'logo.svg'), 'utf8')).toContain('<svg');
    expect((await readdir(join(s1, 'public'))).filter((n) => n.startsWith('.berth-'))).toEqual([]);
    await expectRuntimeError(
      restorePath(ctx, {
        tenantId: t1,
        snapshotId: first.snapshotId,
        siteId: 's1',
        path: 'public/missing.php',
        owner: { uid: UID, gid: GID },
      }),
      'INVALID_INPUT',
      /holds no path public\/missing.php/,
    );
    await expectRuntimeError(
      restorePath(ctx, {
        tenantId: t1,
        snapshotId: first.snapshotId,
        siteId: 's1',
        path: '../s2',
        owner: { uid: UID, gid: GID },
      }),
      'INVALID_INPUT',
      /Invalid path/,
    );
  });

  it('downloads a file as its bytes and a folder as a tar', async () => {
    const big = await readAll(
      await dumpPath(ctx, { snapshotId: first.snapshotId, path: '/data/sites/s1/public/big.bin', tenantId: t1 }),
    );
    expect(sha(big)).toBe(before['public/big.bin']);
    const tar = await readAll(await dumpPath(ctx, { snapshotId: first.snapshotId, path: '/data/sites/s1/public/img' }));
    expect(tar.subarray(257, 262).toString('latin1')).toBe('ustar');
    expect(tarNames(tar)).toContain('data/sites/s1/public/img/logo.svg');
    await expectRuntimeError(
      readAll(await dumpPath(ctx, { snapshotId: first.snapshotId, path: '/data/sites/s1/nothing-here' })),
      'CONTAINER_FAILED',
      /Reading \/data\/sites\/s1\/nothing-here/,
    );
  });

  it('extracts the panel folders into a host dir', async () => {
    const dest = join(ctx.dataDir, 'backup-work', 'extract');
    await mkdir(dest, { mode: 0o700 });
    const res = await extractPaths(ctx, {
      snapshotId: first.snapshotId,
      paths: ['/data/databases', '/data/panel'],
      dest,
      tenantId: t1,
    });
    expect(res).toEqual({ restored: [join(dest, 'data', 'databases')], missing: ['/data/panel'] });
    expect(await readFile(join(dest, 'data', 'databases', 'shop.sql'), 'utf8')).toContain('CREATE TABLE t');
    await expectRuntimeError(
      extractPaths(ctx, { snapshotId: first.snapshotId, paths: ['/data/sites/s1'], dest }),
      'INVALID_INPUT',
      /holds tenant files/,
    );
  });

  it('forgets all but the last snapshot of the tenant and prunes', async () => {
    const rawBefore = (await repoStats(ctx)).totalSize;
    const { removed } = await forgetSnapshots(ctx, { tenantId: t1, keep: { last: 1 }, prune: true });
    expect(removed).toEqual([first.snapshotId]);
    expect((await listSnapshots(ctx, { tenantId: t1 })).map((s) => s.id)).toEqual([second.snapshotId]);
    expect(await listSnapshots(ctx, { tenantId: t2 })).toHaveLength(1);
    const rawAfter = (await repoStats(ctx)).totalSize;
    expect(rawAfter).toBeLessThanOrEqual(rawBefore);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DockerDriver } from '../runtime.types.js';
import { ensureSiteScaffold, ensureTenantDirs, removeRetiredSiteDirs } from './tenant-files.js';

// Runs as root (like the panel) so the ownership changes are real.
describe('tenant files: never follow a tenant-made symbolic link as root', () => {
  let dataDir: string;
  let outside: string;
  let ctx: DockerDriver;
  const tenant = { tenantId: 't1', uid: 54321, gid: 54321 };
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-files-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-outside-'));
    ctx = { dataDir, instance: 'test' } as DockerDriver;
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('creates the site dirs owned by the tenant and a default page naming the PHP version', async () => {
    await ensureTenantDirs(ctx, tenant, ['s1']);
    await ensureSiteScaffold(ctx, tenant, { siteId: 's1', kind: 'php', version: '8.4', documentRoot: 'public' });
    const index = path.join(dataDir, 'tenants/t1/sites/s1/public/index.php');
    expect(fs.readFileSync(index, 'utf8')).toContain('This site runs PHP <?= htmlspecialchars(PHP_VERSION) ?>');
    expect(fs.statSync(index).uid).toBe(54321);
    expect(fs.statSync(path.dirname(index)).uid).toBe(54321);
    // Never overwrites the tenant's files.
    fs.writeFileSync(index, 'mine');
    await ensureSiteScaffold(ctx, tenant, { siteId: 's1', kind: 'php', version: '7.4', documentRoot: 'public' });
    expect(fs.readFileSync(index, 'utf8')).toBe('mine');
  });

  it('removes the files of a deleted site, never a folder the tenant made, never through a link', async () => {
    await ensureTenantDirs(ctx, tenant, ['s1', 's2']);
    const sites = path.join(dataDir, 'tenants/t1/sites');
    fs.writeFileSync(path.join(sites, 's2/data.txt'), 'old site');
    fs.symlinkSync(outside, path.join(sites, 's2/escape'));
    fs.writeFileSync(path.join(outside, 'keep.txt'), 'outside');
    fs.mkdirSync(path.join(sites, 'mine'));
    expect(await removeRetiredSiteDirs(ctx, tenant, ['s1'])).toEqual(['s2']);
    expect(fs.readdirSync(sites).sort()).toEqual(['mine', 's1']);
    expect(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8')).toBe('outside');
    // Nothing else to remove: the record now lists s1 only.
    expect(await removeRetiredSiteDirs(ctx, tenant, [])).toEqual(['s1']);
    expect(fs.readdirSync(sites)).toEqual(['mine']);
  });

  it('refuses a site directory swapped for a link, and leaves the target alone', async () => {
    await ensureTenantDirs(ctx, tenant, ['s1']);
    const site = path.join(dataDir, 'tenants/t1/sites/s1');
    fs.rmSync(site, { recursive: true });
    fs.symlinkSync(outside, site);
    await expect(ensureTenantDirs(ctx, tenant, ['s1'])).rejects.toThrow(/symbolic link/);
    await expect(
      ensureSiteScaffold(ctx, tenant, { siteId: 's1', kind: 'static', documentRoot: 'public' }),
    ).rejects.toThrow(/symbolic link/);
    expect(fs.statSync(outside).uid).toBe(0);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('does not follow a document root that is a link (the tenant manages it)', async () => {
    await ensureTenantDirs(ctx, tenant, ['s1']);
    fs.symlinkSync(outside, path.join(dataDir, 'tenants/t1/sites/s1/public'));
    await ensureSiteScaffold(ctx, tenant, { siteId: 's1', kind: 'php', version: '8.2', documentRoot: 'public' });
    expect(fs.statSync(outside).uid).toBe(0);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('survives a tenant swapping its site folder for a link while the scaffold runs (the swap race)', async () => {
    await ensureTenantDirs(ctx, tenant, ['s1']);
    const site = path.join(dataDir, 'tenants/t1/sites/s1');
    fs.rmSync(site, { recursive: true });
    // The hostile tenant flips sites/s1 between an empty folder and a link to a root-owned folder as fast
    // as it can; every scaffold pass in between must either work inside the real folder or refuse.
    let racing = true;
    const racer = (async () => {
      // The scaffold's own calls run on libuv's threads, truly in parallel: any step may find the other's work.
      const attempt = (step: () => void) => {
        try {
          step();
        } catch {
          // lost this round of the race; go on
        }
      };
      while (racing) {
        attempt(() => fs.mkdirSync(site));
        attempt(() => fs.rmSync(site, { recursive: true, force: true }));
        attempt(() => fs.symlinkSync(outside, site));
        await new Promise((r) => setImmediate(r));
        attempt(() => fs.rmSync(site, { force: true }));
      }
    })();
    for (let i = 0; i < 300; i++) {
      await ensureSiteScaffold(ctx, tenant, {
        siteId: 's1',
        kind: i % 2 === 0 ? 'php' : 'node',
        documentRoot: 'public',
      }).catch(() => undefined);
      await ensureTenantDirs(ctx, tenant, ['s1']).catch(() => undefined);
    }
    racing = false;
    await racer;
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.statSync(outside).uid).toBe(0);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DockerDriver } from '../runtime.types.js';
import { ensureSiteScaffold, ensureTenantDirs } from './tenant-files.js';

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

  it('refuses a site directory swapped for a link, and leaves the target alone', async () => {
    await ensureTenantDirs(ctx, tenant, ['s1']);
    const site = path.join(dataDir, 'tenants/t1/sites/s1');
    fs.rmSync(site, { recursive: true });
    fs.symlinkSync(outside, site);
    await expect(ensureTenantDirs(ctx, tenant, ['s1'])).rejects.toThrow(/symbolic link/);
    await expect(ensureSiteScaffold(ctx, tenant, { siteId: 's1', kind: 'static', documentRoot: 'public' })).rejects.toThrow(/symbolic link/);
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
});

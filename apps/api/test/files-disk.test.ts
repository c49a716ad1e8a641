import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  bearer,
  login,
  makeTenant,
  startPanel,
  type Caller,
  type TenantFixture,
  type TestPanel,
} from './helpers.js';

/**
 * A new account's disk is made and mounted on its sites/ by the first reconcile pass, seconds after the
 * account is created. The files API never writes beside it (where the mount would hide the file, or the
 * disk's first creation would move it away mid-upload): it waits for the mount, then answers
 * FILES_NOT_READY. A tmpfs stands in for the tenant's ext4 disk (both are a filesystem of their own).
 */
describe('files wait for the tenant disk', () => {
  let panel: TestPanel;
  let owner: Caller;
  let t: TenantFixture;
  let sitesDir: string;
  let mounted = false;

  beforeAll(async () => {
    panel = await startPanel({ tenantDisks: { waitMs: 1_500 } });
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    t = await makeTenant(panel.app, admin, 'disky');
    owner = bearer(t.token);
    sitesDir = path.join(panel.dir, 'tenants', t.id, 'sites');
  });
  afterAll(async () => {
    if (mounted) execFileSync('umount', ['-l', sitesDir]);
    await panel.close();
  });

  const put = (body: string) =>
    panel.app.inject({
      method: 'PUT',
      url: `/api/v1/sites/${t.siteId}/files/hello.txt`,
      headers: owner.headers,
      payload: body,
    });

  it('answers 503 FILES_NOT_READY while the disk is not mounted, and writes nothing', async () => {
    fs.mkdirSync(sitesDir, { recursive: true });
    const started = Date.now();
    const res = await put('too early');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'FILES_NOT_READY' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(fs.readdirSync(sitesDir)).toEqual([]);
    const list = await panel.app.inject({
      method: 'GET',
      url: `/api/v1/sites/${t.siteId}/files`,
      headers: owner.headers,
    });
    expect(list.statusCode).toBe(503);
  });

  it('a request made before the mount waits for it and lands on the disk', async () => {
    const pending = put('on the disk');
    await new Promise((r) => setTimeout(r, 400));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', sitesDir]);
    mounted = true;
    const res = await pending;
    expect(res.statusCode, res.body).toBe(201);
    const file = path.join(sitesDir, t.siteId, 'public', 'hello.txt');
    expect(fs.readFileSync(file, 'utf8')).toBe('on the disk');
    expect(fs.statSync(file).dev).toBe(fs.statSync(sitesDir).dev);
    expect(fs.statSync(file).dev).not.toBe(fs.statSync(path.dirname(sitesDir)).dev);
  });
});

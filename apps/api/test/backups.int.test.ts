import { createHash, randomBytes } from 'node:crypto';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execInContainer, observe } from '@berth/runtime';
import { PanelProcess } from './panel-process.js';

interface Backup {
  id: string;
  status: string;
  message: string | null;
  sizeBytes: number | null;
  addedBytes: number | null;
  contents: { sites: { id: string; name: string }[]; databases: { id: string; name: string }[] };
}
interface Restore {
  id: string;
  status: string;
  message: string | null;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Backups and restores over the real panel, restic and the real edge (issue 14): a tenant with two PHP sites and
 * a MariaDB database is backed up; its files are deleted and its table dropped; restoring the site brings the same
 * bytes back through Caddy over verified HTTPS (hashes compared) while the other site keeps serving, restoring
 * the database brings the row back, one file is put back on its own, a file is downloaded from the backup, and a
 * second backup after a small change adds little to the repository (restic's deduplication).
 */
describe('backups and restores (restic) over the real panel', () => {
  let panel: PanelProcess;
  let tenantId: string;
  const sites: Record<'www' | 'blog', { id: string; host: string }> = {} as never;
  let db: { name: string; user: string; password: string };
  const data = randomBytes(3 * 1024 * 1024);

  /** bytes fetches a page through the edge as bytes. */
  const bytes = (host: string, path: string) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: panel.httpsPort,
          servername: host,
          path,
          headers: { host },
          ca: panel.caRoot,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
      req.end();
    });

  async function php(code: string): Promise<string> {
    const driver = panel.driver();
    const seen = await observe(driver, { tenantId });
    const container = seen.containers.find((c) => c.component === 'php-8.2' && c.state === 'running');
    if (!container) throw new Error('no running PHP 8.2 container');
    const res = await execInContainer(driver, container.id, ['php', '-d', 'display_errors=stderr', '-r', code], {
      timeoutMs: 30_000,
    });
    return (res.stdout + res.stderr).trim();
  }
  const sql = (q: string) => `
    mysqli_report(MYSQLI_REPORT_OFF);
    $c = @mysqli_connect('localhost', ${JSON.stringify(db.user)}, ${JSON.stringify(db.password)}, ${JSON.stringify(db.name)});
    if (!$c) { echo 'CONNECT-FAILED ', mysqli_connect_error(); exit; }
    $r = mysqli_query($c, ${JSON.stringify(q)});
    if ($r === false) { echo 'QUERY-FAILED ', mysqli_error($c); exit; }
    if ($r === true) { echo 'OK'; exit; }
    while ($row = mysqli_fetch_row($r)) echo implode(',', $row), "\\n";`;

  const upload = async (siteId: string, path: string, body: Buffer | string) => {
    const res = await panel.api('PUT', `/sites/${siteId}/files/${path}`, undefined, { raw: body });
    expect(res.status, res.text).toBeLessThan(300);
  };

  async function backupNow(): Promise<Backup> {
    const res = await panel.api<Backup>('POST', `/tenants/${tenantId}/backups`);
    expect(res.status, res.text).toBe(202);
    return panel.waitFor(
      'the backup to finish',
      async () => {
        const list = await panel.api<{ items: Backup[] }>('GET', `/tenants/${tenantId}/backups`);
        const b = list.body.items.find((x) => x.id === res.body.id);
        if (b?.status === 'failed') throw new Error(`backup failed: ${b.message}`);
        return b?.status === 'succeeded' ? b : undefined;
      },
      180_000,
    );
  }

  async function restore(backupId: string, body: Record<string, unknown>): Promise<Restore> {
    const res = await panel.api<Restore>('POST', `/tenants/${tenantId}/backups/${backupId}/restore`, body);
    expect(res.status, res.text).toBe(202);
    return panel.waitFor(
      'the restore to finish',
      async () => {
        const list = await panel.api<{ items: Restore[] }>('GET', `/tenants/${tenantId}/restores`);
        const r = list.body.items.find((x) => x.id === res.body.id);
        if (r?.status === 'failed') throw new Error(`restore failed: ${r.message}`);
        return r?.status === 'succeeded' ? r : undefined;
      },
      180_000,
    );
  }

  beforeAll(async () => {
    panel = await PanelProcess.start();
    const tenant = await panel.api<{ id: string }>('POST', '/tenants', {
      slug: 'bkp',
      name: 'Backed up',
      owner: { email: 'owner@bkp.test', password: 'bkp-password-123' },
    });
    expect(tenant.status, tenant.text).toBe(201);
    tenantId = tenant.body.id;
    for (const name of ['www', 'blog'] as const) {
      const site = await panel.api<{ id: string }>('POST', '/sites', {
        tenantId,
        name,
        runtime: { kind: 'php', version: '8.2' },
      });
      expect(site.status, site.text).toBe(201);
      const host = `${name}.bkp.test`;
      expect((await panel.api('POST', `/sites/${site.body.id}/domains`, { hostname: host })).status).toBe(201);
      sites[name] = { id: site.body.id, host };
    }
    for (const name of ['www', 'blog'] as const)
      await panel.waitFor(
        `${name} live`,
        async () => (await panel.https(sites[name].host, '/')).status === 200,
        120_000,
      );
    const created = await panel.api<{ name: string; user: { name: string; password: string } }>('POST', '/databases', {
      tenantId,
      engine: 'mariadb',
      name: 'shop',
      user: 'shop',
    });
    expect(created.status, created.text).toBe(201);
    db = { name: created.body.name, user: created.body.user.name, password: created.body.user.password };
    expect(await php(sql('CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(40))'))).toBe('OK');
    expect(await php(sql("INSERT INTO orders VALUES (1, 'blue kettle')"))).toBe('OK');
    await upload(sites.www.id, 'data.bin', data);
    await upload(sites.www.id, 'img/logo.txt', 'the original logo\n');
    await upload(sites.blog.id, 'post.html', '<p>blog post</p>\n');
  }, 300_000);

  afterAll(async () => {
    await panel?.stop();
  }, 120_000);

  let first: Backup;

  it('backs up both sites, the database and the records, and lists what the snapshot holds', async () => {
    first = await backupNow();
    expect(first.contents.sites.map((s) => s.name).sort()).toEqual(['blog', 'www']);
    expect(first.contents.databases.map((d) => d.name)).toEqual([db.name]);
    expect(first.sizeBytes).toBeGreaterThan(data.length);
    const listing = await panel.api<{ entries: { name: string; type: string }[] }>(
      'GET',
      `/tenants/${tenantId}/backups/${first.id}/files?path=${encodeURIComponent(`sites/${sites.www.id}/public`)}`,
    );
    expect(listing.status, listing.text).toBe(200);
    expect(listing.body.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['data.bin', 'img', 'index.php']));
    const top = await panel.api<{ entries: { name: string }[] }>(
      'GET',
      `/tenants/${tenantId}/backups/${first.id}/files`,
    );
    expect(top.body.entries.map((e) => e.name).sort()).toEqual(['databases', 'panel', 'sites']);
    const records = await panel.api(
      'GET',
      `/tenants/${tenantId}/backups/${first.id}/download?path=${encodeURIComponent('panel/records.json')}`,
    );
    expect(records.status).toBe(200);
    expect(records.text).toContain('"slug": "bkp"');
    expect(records.text).not.toContain(db.password);
  }, 240_000);

  it('restores a deleted site byte for byte while the other site keeps serving', async () => {
    const before = await bytes(sites.www.host, '/data.bin');
    expect(sha256(before.body)).toBe(sha256(data));
    expect((await panel.api('DELETE', `/sites/${sites.www.id}/files/data.bin`)).status).toBe(200);
    expect((await panel.api('DELETE', `/sites/${sites.www.id}/files/img?recursive=true`)).status).toBe(200);
    // Gone (a PHP site answers a missing file with its index.php, the front-controller fallback).
    expect(sha256((await bytes(sites.www.host, '/data.bin')).body)).not.toBe(sha256(data));

    let stop = false;
    const blogAnswers: number[] = [];
    const watch = (async () => {
      while (!stop) {
        blogAnswers.push((await bytes(sites.blog.host, '/post.html')).status);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await restore(first.id, { scope: 'site', siteId: sites.www.id });
    } finally {
      stop = true;
      await watch;
    }
    expect(blogAnswers.length).toBeGreaterThan(3);
    expect(new Set(blogAnswers)).toEqual(new Set([200]));
    const after = await bytes(sites.www.host, '/data.bin');
    expect(after.status).toBe(200);
    expect(sha256(after.body)).toBe(sha256(data));
    expect((await bytes(sites.www.host, '/img/logo.txt')).body.toString()).toBe('the original logo\n');
    const events = await panel.api<{ items: { action: string }[] }>('GET', `/events?tenantId=${tenantId}&limit=100`);
    expect(events.body.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['backup.requested', 'backup.succeeded', 'restore.requested', 'restore.succeeded']),
    );
  }, 240_000);

  it('restores a dropped table from the database dump', async () => {
    expect(await php(sql('DROP TABLE orders'))).toBe('OK');
    expect(await php(sql('SELECT item FROM orders'))).toMatch(/QUERY-FAILED/);
    const databaseId = first.contents.databases[0]!.id;
    await restore(first.id, { scope: 'database', databaseId });
    expect(await php(sql('SELECT id, item FROM orders'))).toBe('1,blue kettle');
  }, 240_000);

  it('puts one file back, and downloads a file from the backup', async () => {
    await upload(sites.www.id, 'img/logo.txt', 'a changed logo\n');
    await upload(sites.www.id, 'img/new.txt', 'made after the backup\n');
    await restore(first.id, { scope: 'path', siteId: sites.www.id, path: 'public/img/logo.txt' });
    expect((await bytes(sites.www.host, '/img/logo.txt')).body.toString()).toBe('the original logo\n');
    // Only that file: what was made since stays.
    expect((await bytes(sites.www.host, '/img/new.txt')).body.toString()).toBe('made after the backup\n');

    const download = await panel.download(
      `/tenants/${tenantId}/backups/${first.id}/download?path=${encodeURIComponent(`sites/${sites.www.id}/public/data.bin`)}`,
    );
    expect(download.status).toBe(200);
    expect(sha256(download.body)).toBe(sha256(data));
    const folder = await panel.download(
      `/tenants/${tenantId}/backups/${first.id}/download?path=${encodeURIComponent(`sites/${sites.www.id}/public/img`)}`,
    );
    expect(folder.status).toBe(200);
    // A folder comes as a tar archive: its first header names the entries.
    expect(folder.body.subarray(0, 4096).toString('latin1')).toContain('logo.txt');
  }, 240_000);

  it('a second backup after a small change adds little to the repository', async () => {
    await upload(sites.www.id, 'small-change.txt', randomBytes(30 * 1024).toString('hex'));
    const second = await backupNow();
    expect(second.addedBytes).not.toBeNull();
    expect(first.addedBytes).toBeGreaterThan(data.length / 2);
    // The 3 MB file is not stored again: the second backup adds about the changed bytes (and metadata).
    expect(second.addedBytes!).toBeLessThan(first.addedBytes! / 10);
  }, 240_000);

  it('makes a terminated tenant again from its last backup: account, sites, files and database', async () => {
    const list = await panel.api<{ items: Backup[] }>('GET', `/tenants/${tenantId}/backups`);
    const last = list.body.items.find((b) => b.status === 'succeeded')!;
    expect((await panel.api('DELETE', `/tenants/${tenantId}`)).status).toBe(200);
    await panel.waitFor(
      'the tenant gone',
      async () => (await panel.api('GET', `/tenants/${tenantId}`)).status === 404,
      120_000,
    );
    // Its backups stay listed for administrators.
    const after = await panel.api<{ items: Backup[] }>('GET', `/tenants/${tenantId}/backups`);
    expect(after.status).toBe(200);
    expect(after.body.items.map((b) => b.id)).toContain(last.id);

    await restore(last.id, { scope: 'tenant' });
    const tenant = await panel.api<{ slug: string; status: string }>('GET', `/tenants/${tenantId}`);
    expect(tenant.body).toMatchObject({ slug: 'bkp', status: 'active' });
    await panel.waitFor(
      'www live again',
      async () => (await bytes(sites.www.host, '/data.bin')).status === 200,
      120_000,
    );
    expect(sha256((await bytes(sites.www.host, '/data.bin')).body)).toBe(sha256(data));
    expect((await bytes(sites.blog.host, '/post.html')).body.toString()).toBe('<p>blog post</p>\n');
    // The database and its user are back, with the same password, and the row with them.
    expect(await php(sql('SELECT id, item FROM orders'))).toBe('1,blue kettle');
  }, 420_000);
});

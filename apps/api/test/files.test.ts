import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  bearer,
  call,
  login,
  makeTenant,
  startPanel,
  type Caller,
  type TenantFixture,
  type TestPanel,
} from './helpers.js';

/** The files API against a real data dir: what lands on disk, who owns it, and what never leaves the document root. */
describe('site files API', () => {
  let panel: TestPanel;
  let admin: Caller;
  let a: TenantFixture;
  let b: TenantFixture;
  let aUid: number;
  let outside: string;

  const docroot = (t: TenantFixture) => path.join(panel.dir, 'tenants', t.id, 'sites', t.siteId, 'public');
  const filesUrl = (t: TenantFixture, rest = '') => `/api/v1/sites/${t.siteId}/files${rest === '' ? '' : `/${rest}`}`;
  const put = (
    caller: Caller,
    url: string,
    payload: Buffer | string | Readable,
    headers: Record<string, string> = {},
  ) => panel.app.inject({ method: 'PUT', url, headers: { ...caller.headers, ...headers }, payload });
  const errorCode = (res: { json(): unknown }) => (res.json() as { error: { code: string } }).error.code;
  /** overHttp sends a real request with the path exactly as given: inject() normalizes `..` and `%2e%2e` away, a client need not. */
  const overHttp = (
    method: string,
    rawPath: string,
    headers: Record<string, string>,
    body?: Buffer | string | Readable,
  ) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const { port } = panel.app.server.address() as AddressInfo;
      const req = http.request({ host: '127.0.0.1', port, method, path: rawPath, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      if (body instanceof Readable) body.pipe(req);
      else req.end(body);
    });

  beforeAll(async () => {
    panel = await startPanel();
    await panel.app.listen({ host: '127.0.0.1', port: 0 });
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    a = await makeTenant(panel.app, admin, 'alpha');
    b = await makeTenant(panel.app, admin, 'bravo');
    aUid = (await panel.db.tenant.findUniqueOrThrow({ where: { id: a.id } })).uid;
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-files-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside secret');
  });

  afterAll(async () => {
    await panel.close();
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('uploads a raw body of any content type, lists it, and downloads the same bytes', async () => {
    const bytes = randomBytes(200_000);
    const up = await put(bearer(a.token), filesUrl(a, 'hello.bin'), bytes, { 'content-type': 'application/json' });
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toMatchObject({ name: 'hello.bin', type: 'file', size: bytes.length });

    const list = await call(panel.app, bearer(a.token), 'GET', filesUrl(a));
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ path: '', entries: [{ name: 'hello.bin', type: 'file', size: bytes.length }] });

    const down = await call(panel.app, a.owner, 'GET', filesUrl(a, 'hello.bin'));
    expect(down.statusCode).toBe(200);
    expect(down.headers['content-type']).toBe('application/octet-stream');
    expect(down.headers['content-disposition']).toContain('attachment; filename="hello.bin"');
    expect(Buffer.compare(down.rawPayload, bytes)).toBe(0);

    const head = await panel.app.inject({
      method: 'HEAD',
      url: filesUrl(a, 'hello.bin'),
      headers: bearer(a.token).headers,
    });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(bytes.length));

    const onDisk = path.join(docroot(a), 'hello.bin');
    const stat = fs.statSync(onDisk);
    expect(stat.uid).toBe(aUid);
    expect(stat.gid).toBe(aUid);
    expect(stat.mode & 0o777).toBe(0o644);
    // The site directory and its document root were created on demand, owned by the tenant.
    for (const dir of [docroot(a), path.dirname(docroot(a))]) {
      expect(fs.statSync(dir).uid).toBe(aUid);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o755);
    }
    // Over real HTTP, streamed without a Content-Length.
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const chunked = await overHttp(
      'PUT',
      filesUrl(a, 'big.bin'),
      { ...bearer(a.token).headers, 'transfer-encoding': 'chunked' },
      Readable.from(
        Array.from({ length: 8 }, (_, i) =>
          big.subarray(i * ((big.length / 8) | 0), i === 7 ? big.length : (i + 1) * ((big.length / 8) | 0)),
        ),
      ),
    );
    expect(chunked.status, chunked.body.toString()).toBe(201);
    const bigDown = await overHttp('GET', filesUrl(a, 'big.bin'), bearer(a.token).headers);
    expect(Buffer.compare(bigDown.body, big)).toBe(0);
    expect((await call(panel.app, bearer(a.token), 'DELETE', filesUrl(a, 'big.bin'))).statusCode).toBe(200);

    // Replacing keeps one file and leaves no temp file behind.
    expect((await put(bearer(a.token), filesUrl(a, 'hello.bin'), 'short')).statusCode).toBe(201);
    expect(fs.readFileSync(onDisk, 'utf8')).toBe('short');
    expect(fs.readdirSync(docroot(a)).filter((n) => n.startsWith('.berth-'))).toEqual([]);
  });

  it('creates missing folders for a nested upload, owned by the tenant, listed folders first', async () => {
    const up = await put(bearer(a.token), filesUrl(a, 'assets/css/site.css'), 'body { color: red }', {
      'content-type': 'text/css',
    });
    expect(up.statusCode, up.body).toBe(201);
    for (const dir of ['assets', 'assets/css']) {
      const stat = fs.statSync(path.join(docroot(a), dir));
      expect(stat.isDirectory()).toBe(true);
      expect(stat.uid).toBe(aUid);
      expect(stat.mode & 0o777).toBe(0o755);
    }
    expect(fs.statSync(path.join(docroot(a), 'assets/css/site.css')).uid).toBe(aUid);
    const dotfile = await put(bearer(a.token), filesUrl(a, '.htaccess'), 'Options -Indexes\n');
    expect(dotfile.statusCode).toBe(201);

    const root = (await call(panel.app, bearer(a.token), 'GET', filesUrl(a))).json() as {
      entries: { name: string; type: string }[];
    };
    expect(root.entries.map((e) => e.name)).toEqual(['assets', '.htaccess', 'hello.bin']);
    expect(root.entries[0]!.type).toBe('directory');
    const css = await call(panel.app, bearer(a.token), 'GET', filesUrl(a, 'assets/css/'));
    expect(css.json()).toMatchObject({ path: 'assets/css', entries: [{ name: 'site.css', type: 'file' }] });
    // A name encoded twice is decoded once: it is an odd but harmless name inside the root.
    const odd = await put(bearer(a.token), filesUrl(a, '%252e%252e%252fodd'), 'x');
    expect(odd.statusCode, odd.body).toBe(201);
    expect(fs.existsSync(path.join(docroot(a), '%2e%2e%2fodd'))).toBe(true);
    expect(fs.rmSync(path.join(docroot(a), '%2e%2e%2fodd'))).toBeUndefined();
  });

  it('makes folders, deletes files and folders, and refuses what would lose data by surprise', async () => {
    const mk = await call(panel.app, bearer(a.token), 'POST', `/api/v1/sites/${a.siteId}/directories/uploads/2024`);
    expect(mk.statusCode, mk.body).toBe(201);
    expect(mk.json()).toMatchObject({ name: '2024', type: 'directory' });
    expect(fs.statSync(path.join(docroot(a), 'uploads/2024')).uid).toBe(aUid);
    const again = await call(panel.app, bearer(a.token), 'POST', `/api/v1/sites/${a.siteId}/directories/uploads/2024`);
    expect(again.statusCode).toBe(400);

    expect((await put(bearer(a.token), filesUrl(a, 'uploads/2024/photo.jpg'), randomBytes(1000))).statusCode).toBe(201);
    const notEmpty = await call(panel.app, bearer(a.token), 'DELETE', filesUrl(a, 'uploads'));
    expect(notEmpty.statusCode).toBe(400);
    expect((notEmpty.json() as { error: { message: string } }).error.message).toMatch(/not empty.*recursive=true/);
    expect(fs.existsSync(path.join(docroot(a), 'uploads/2024/photo.jpg'))).toBe(true);

    const file = await call(panel.app, bearer(a.token), 'DELETE', filesUrl(a, 'uploads/2024/photo.jpg'));
    expect(file.statusCode, file.body).toBe(200);
    expect(fs.existsSync(path.join(docroot(a), 'uploads/2024/photo.jpg'))).toBe(false);
    expect((await call(panel.app, bearer(a.token), 'DELETE', filesUrl(a, 'uploads/2024/photo.jpg'))).statusCode).toBe(
      404,
    );

    expect((await put(bearer(a.token), filesUrl(a, 'uploads/2024/a/b/c.txt'), 'deep')).statusCode).toBe(201);
    const tree = await call(panel.app, bearer(a.token), 'DELETE', `${filesUrl(a, 'uploads')}?recursive=true`);
    expect(tree.statusCode, tree.body).toBe(200);
    expect(fs.existsSync(path.join(docroot(a), 'uploads'))).toBe(false);
    expect(fs.readdirSync(docroot(a)).filter((n) => n.startsWith('.berth-'))).toEqual([]);

    for (const url of [filesUrl(a, ''), `${filesUrl(a)}/`, `${filesUrl(a)}/?recursive=true`]) {
      const root = await call(panel.app, bearer(a.token), 'DELETE', url);
      expect(root.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(root.statusCode, url).toBeLessThan(500);
    }
    expect(fs.existsSync(docroot(a))).toBe(true);
    const upOnDir = await put(bearer(a.token), filesUrl(a, 'assets'), 'x');
    expect(upOnDir.statusCode).toBe(400);
    expect(fs.statSync(path.join(docroot(a), 'assets')).isDirectory()).toBe(true);
  });

  it('refuses traversal in every spelling and writes nothing outside the document root', async () => {
    const siteDir = path.dirname(docroot(a));
    const before = fs.readdirSync(siteDir).sort();
    const passwd = fs.readFileSync('/etc/passwd');
    const attempts = [
      '..%2F..%2Fetc%2Fpasswd',
      '..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '../escaped.txt',
      'assets/../../escaped.txt',
      '%2e%2e/escaped.txt',
      '%2e%2e%2fescaped.txt',
      '.%2e/escaped.txt',
      './escaped.txt',
      'assets/%2e%2e/%2e%2e/escaped.txt',
      'assets/..%2F..%2Fescaped.txt',
      '%2Fetc%2Fpasswd',
      '/etc/passwd',
      '..%5C..%5Cescaped.txt',
      'assets%5Cescaped.txt',
      'escaped%00.txt',
      'a//b.txt',
      `${'n'.repeat(256)}.txt`,
      `${'d/'.repeat(2100)}x`,
    ];
    for (const rest of attempts) {
      for (const method of ['GET', 'PUT', 'DELETE', 'POST'] as const) {
        const url = method === 'POST' ? `/api/v1/sites/${a.siteId}/directories/${rest}` : filesUrl(a, rest);
        const res = await overHttp(method, url, bearer(a.token).headers, method === 'PUT' ? 'pwned' : undefined);
        const text = res.body.toString();
        // 400 from the path check itself, not a 404 from a router that never saw the path.
        expect(res.status, `${method} ${rest} → ${text}`).toBe(400);
        expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
        expect(text).not.toContain('root:x:0:0');
      }
    }
    expect(fs.readdirSync(siteDir).sort()).toEqual(before);
    expect(fs.existsSync(path.join(panel.dir, 'tenants', a.id, 'sites', 'escaped.txt'))).toBe(false);
    expect(Buffer.compare(fs.readFileSync('/etc/passwd'), passwd)).toBe(0);
    expect(fs.readdirSync(docroot(a)).filter((n) => n.includes('escaped') || n.includes('pwned'))).toEqual([]);
  });

  it('refuses symbolic links that leave the document root for list, read, write and delete', async () => {
    // bravo gets a document root with a file of its own.
    expect((await put(bearer(b.token), filesUrl(b, 'private.txt'), 'bravo only')).statusCode).toBe(201);
    const root = docroot(a);
    fs.symlinkSync('/etc', path.join(root, 'etc-link'));
    fs.symlinkSync('/etc/passwd', path.join(root, 'passwd-link'));
    fs.symlinkSync(docroot(b), path.join(root, 'bravo-link'));
    fs.symlinkSync(path.join(docroot(b), 'private.txt'), path.join(root, 'bravo-file'));
    fs.symlinkSync(outside, path.join(root, 'outside-link'));
    fs.symlinkSync('../../../../../../..', path.join(root, 'up-link'));
    fs.symlinkSync('/nonexistent/berth', path.join(root, 'dangling-out'));

    const listing = (await call(panel.app, bearer(a.token), 'GET', filesUrl(a))).json() as {
      entries: { name: string; type: string }[];
    };
    expect(listing.entries.find((e) => e.name === 'etc-link')?.type).toBe('symlink');

    const tok = bearer(a.token);
    const reads = [
      'etc-link',
      'etc-link/passwd',
      'passwd-link',
      'bravo-link',
      'bravo-link/private.txt',
      'bravo-file',
      'outside-link/secret.txt',
      'up-link/etc/passwd',
      'dangling-out',
    ];
    for (const rest of reads) {
      const res = await call(panel.app, tok, 'GET', filesUrl(a, rest));
      expect(res.statusCode, `GET ${rest} → ${res.body}`).toBe(400);
      expect(res.body).not.toContain('root:x:0:0');
      expect(res.body).not.toContain('bravo only');
      expect(res.body).not.toContain('private.txt');
    }
    const writes = [
      'bravo-link/private.txt',
      'bravo-link/new.txt',
      'bravo-file',
      'outside-link/secret.txt',
      'outside-link/new.txt',
      'up-link/tmp/berth-pwned',
      'dangling-out',
    ];
    for (const rest of writes) {
      const res = await put(tok, filesUrl(a, rest), 'pwned');
      expect(res.statusCode, `PUT ${rest} → ${res.body}`).toBe(400);
      const mk = await call(panel.app, tok, 'POST', `/api/v1/sites/${a.siteId}/directories/${rest}/sub`);
      expect(mk.statusCode, `POST ${rest}/sub → ${mk.body}`).toBeGreaterThanOrEqual(400);
    }
    for (const rest of [
      'bravo-link/private.txt',
      'bravo-file',
      'outside-link/secret.txt',
      'outside-link',
      'bravo-link',
      'etc-link',
      'passwd-link',
    ]) {
      const res = await call(panel.app, tok, 'DELETE', `${filesUrl(a, rest)}?recursive=true`);
      expect(res.statusCode, `DELETE ${rest} → ${res.body}`).toBe(400);
    }
    expect(fs.readFileSync(path.join(docroot(b), 'private.txt'), 'utf8')).toBe('bravo only');
    expect(fs.readdirSync(docroot(b))).toEqual(['private.txt']);
    expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside secret');
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
    expect(fs.existsSync('/tmp/berth-pwned')).toBe(false);
    expect(fs.lstatSync(path.join(root, 'etc-link')).isSymbolicLink()).toBe(true);

    // A link that stays inside the root is followed, and deleting it removes the link, not its target.
    fs.symlinkSync('assets/css', path.join(root, 'styles'));
    const inside = await call(panel.app, tok, 'GET', filesUrl(a, 'styles/site.css'));
    expect(inside.statusCode).toBe(200);
    expect(inside.body).toBe('body { color: red }');
    expect((await put(tok, filesUrl(a, 'styles/new.css'), 'p {}')).statusCode).toBe(201);
    expect(fs.existsSync(path.join(root, 'assets/css/new.css'))).toBe(true);
    expect((await call(panel.app, tok, 'DELETE', filesUrl(a, 'styles'))).statusCode).toBe(200);
    expect(fs.existsSync(path.join(root, 'assets/css/site.css'))).toBe(true);

    for (const name of [
      'etc-link',
      'passwd-link',
      'bravo-link',
      'bravo-file',
      'outside-link',
      'up-link',
      'dangling-out',
    ])
      fs.unlinkSync(path.join(root, name));
  });

  it('refuses a document root that was swapped for a link out of the site folder', async () => {
    const c = await makeTenant(panel.app, admin, 'charlie');
    const siteDir = path.join(panel.dir, 'tenants', c.id, 'sites', c.siteId);
    fs.mkdirSync(siteDir, { recursive: true });
    fs.symlinkSync(outside, path.join(siteDir, 'public'));
    const list = await call(panel.app, bearer(c.token), 'GET', filesUrl(c));
    expect(list.statusCode).toBe(404);
    expect(list.body).not.toContain('secret.txt');
    expect((await put(bearer(c.token), filesUrl(c, 'x.txt'), 'x')).statusCode).toBe(404);
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
  });

  it("keeps uploads within the plan's disk and leaves nothing behind when refusing", async () => {
    const c = await makeTenant(panel.app, admin, 'delta');
    const plan = await panel.db.plan.create({
      data: {
        id: 'tinyplan0001',
        name: 'Tiny',
        maxSites: 1,
        maxDomains: 1,
        cpuMillicores: 100,
        memoryMb: 64,
        diskMb: 1,
        bandwidthGb: 1,
        pidsLimit: 32,
        phpVersions: '["8.2"]',
        phpMaxMemoryMb: 64,
        phpMaxUploadMb: 1,
        phpMaxExecSeconds: 5,
      },
    });
    await panel.db.tenant.update({ where: { id: c.id }, data: { planId: plan.id } });
    const tok = bearer(c.token);
    expect((await put(tok, filesUrl(c, 'small.txt'), randomBytes(100_000))).statusCode).toBe(201);

    const declared = await put(tok, filesUrl(c, 'big/nested/file.bin'), randomBytes(1_200_000));
    expect(declared.statusCode, declared.body).toBe(422);
    expect(errorCode(declared)).toBe('PLAN_LIMIT_REACHED');
    expect((declared.json() as { error: { message: string } }).error.message).toMatch(/1 MB of disk/);

    // Without a Content-Length the limit stops the stream instead.
    const chunks = Array.from({ length: 20 }, () => randomBytes(64 * 1024));
    const streamed = await put(tok, filesUrl(c, 'big/nested/stream.bin'), Readable.from(chunks), {
      'content-type': 'application/octet-stream',
    });
    expect(streamed.statusCode, streamed.body).toBe(422);
    expect(errorCode(streamed)).toBe('PLAN_LIMIT_REACHED');

    expect(fs.readdirSync(docroot(c)).sort()).toEqual(['small.txt']);
    const listing = (await call(panel.app, tok, 'GET', filesUrl(c))).json() as { entries: { name: string }[] };
    expect(listing.entries.map((e) => e.name)).toEqual(['small.txt']);
    // Replacing a file counts only the difference.
    expect((await put(tok, filesUrl(c, 'small.txt'), randomBytes(150_000))).statusCode).toBe(201);

    const tooBig = await panel.app.inject({
      method: 'PUT',
      url: filesUrl(c, 'huge.bin'),
      headers: { ...tok.headers, 'content-length': String(600 * 1024 * 1024) },
      payload: 'x',
    });
    expect(tooBig.statusCode).toBe(413);
    expect(errorCode(tooBig)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 404 to another tenant on every files route, and changes nothing', async () => {
    const siteFiles = fs.readdirSync(docroot(a)).sort();
    for (const caller of [bearer(b.token), b.owner]) {
      const answers = [
        await call(panel.app, caller, 'GET', filesUrl(a)),
        await call(panel.app, caller, 'GET', filesUrl(a, 'hello.bin')),
        await put(
          caller.csrf ? { headers: { ...caller.headers, 'x-csrf-token': caller.csrf } } : caller,
          filesUrl(a, 'hello.bin'),
          'intruder',
        ),
        await call(panel.app, caller, 'DELETE', filesUrl(a, 'hello.bin')),
        await call(panel.app, caller, 'DELETE', `${filesUrl(a, 'assets')}?recursive=true`),
        await call(panel.app, caller, 'POST', `/api/v1/sites/${a.siteId}/directories/intruder`),
      ];
      for (const res of answers) {
        expect(res.statusCode, res.body).toBe(404);
        expect(errorCode(res)).toBe('NOT_FOUND');
      }
    }
    expect(fs.readdirSync(docroot(a)).sort()).toEqual(siteFiles);
    expect(fs.readFileSync(path.join(docroot(a), 'hello.bin'), 'utf8')).toBe('short');
  });

  it('lets read-only tokens read but not write, and refuses writes of a suspended tenant', async () => {
    const read = bearer(a.readToken);
    expect((await call(panel.app, read, 'GET', filesUrl(a, 'hello.bin'))).statusCode).toBe(200);
    const refused = [
      await put(read, filesUrl(a, 'hello.bin'), 'read-only'),
      await call(panel.app, read, 'DELETE', filesUrl(a, 'hello.bin')),
      await call(panel.app, read, 'POST', `/api/v1/sites/${a.siteId}/directories/nope`),
    ];
    for (const res of refused) {
      expect(res.statusCode).toBe(403);
      expect(errorCode(res)).toBe('FORBIDDEN');
    }
    expect(fs.readFileSync(path.join(docroot(a), 'hello.bin'), 'utf8')).toBe('short');

    // A billing token runs the account lifecycle only: no reading or writing of site files either.
    const billing = (
      await call(panel.app, admin, 'POST', '/api/v1/tokens', { name: 'billing', scope: 'billing' })
    ).json() as { secret: string };
    for (const res of [
      await call(panel.app, bearer(billing.secret), 'GET', filesUrl(a, 'hello.bin')),
      await call(panel.app, bearer(billing.secret), 'GET', filesUrl(a)),
      await put(bearer(billing.secret), filesUrl(a, 'hello.bin'), 'billing'),
      await call(panel.app, bearer(billing.secret), 'DELETE', filesUrl(a, 'hello.bin')),
    ]) {
      expect(res.statusCode).toBe(403);
    }
    expect(fs.readFileSync(path.join(docroot(a), 'hello.bin'), 'utf8')).toBe('short');

    expect((await call(panel.app, admin, 'POST', `/api/v1/tenants/${b.id}/suspend`)).statusCode).toBe(200);
    const suspended = await put(bearer(b.token), filesUrl(b, 'new.txt'), 'x');
    expect(suspended.statusCode).toBe(409);
    expect(errorCode(suspended)).toBe('TENANT_SUSPENDED');
    expect(fs.existsSync(path.join(docroot(b), 'new.txt'))).toBe(false);
    expect((await call(panel.app, bearer(b.token), 'GET', filesUrl(b, 'private.txt'))).statusCode).toBe(200);
  });

  it('records an event for every change', async () => {
    const events = await panel.db.event.findMany({
      where: { tenantId: a.id, action: { startsWith: 'file.' } },
      orderBy: { at: 'asc' },
    });
    const actions = new Set(events.map((e) => e.action));
    expect(actions).toEqual(new Set(['file.upload', 'file.mkdir', 'file.delete']));
    const upload = events.find((e) => e.action === 'file.upload')!;
    expect(upload).toMatchObject({ targetType: 'site', targetId: a.siteId, result: 'ok' });
    expect(JSON.parse(upload.details!)).toEqual({ path: 'hello.bin', bytes: 200_000 });
    const recursive = events.find((e) => e.action === 'file.delete' && e.details?.includes('"recursive":true'));
    expect(JSON.parse(recursive!.details!)).toMatchObject({ path: 'uploads', type: 'directory', recursive: true });
    // Refused uploads changed nothing, so they are not file events (the refusal is in the audit trail as a request).
    expect(events.some((e) => e.details?.includes('intruder') || e.details?.includes('pwned'))).toBe(false);
  });
});

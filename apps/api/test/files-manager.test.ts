import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { ADMIN, bearer, call, login, makeTenant, startPanel, type TenantFixture, type TestPanel } from './helpers.js';

/** RawEntry is one entry of a hand-made zip: a name a real zip tool would refuse to write is the point. */
interface RawEntry {
  name: string;
  data?: Buffer;
  /** Unix mode in the external attributes (S_IFLNK for a link entry). */
  mode?: number;
  /** Deflate the data (else stored). */
  deflate?: boolean;
  /** Declared uncompressed size, when it should lie. */
  declaredSize?: number;
}

/** rawZip writes a zip byte by byte (local headers, central directory, end record), without checking names. */
function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = entry.data ?? Buffer.alloc(0);
    const body = entry.deflate ? zlib.deflateRawSync(data) : data;
    const crc = zlib.crc32(data);
    const size = entry.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(entry.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.mode ?? (entry.name.endsWith('/') ? 0o40755 : 0o100644)) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** unzip reads every file of a zip into a map of name → content ('/'-ended names are folders, content empty). */
async function unzip(bytes: Buffer): Promise<Map<string, string>> {
  const zip = await yauzl.fromBufferPromise(bytes, {});
  const out = new Map<string, string>();
  for (;;) {
    const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
      zip.once('entry', resolve);
      zip.once('end', () => resolve(null));
      zip.once('error', reject);
      zip.readEntry();
    });
    if (!entry) break;
    zip.removeAllListeners();
    if (entry.fileName.endsWith('/')) {
      out.set(entry.fileName, '');
      continue;
    }
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    out.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
  }
  return out;
}

describe('file manager: conditional saves, move, permissions, zip in and out', () => {
  let panel: TestPanel;
  let a: TenantFixture;
  let aUid: number;
  let outside: string;

  const docroot = () => path.join(panel.dir, 'tenants', a.id, 'sites', a.siteId, 'public');
  const at = (rel: string) => path.join(docroot(), rel);
  const filesUrl = (rest = '') => `/api/v1/sites/${a.siteId}/files${rest === '' ? '' : `/${rest}`}`;
  const tok = () => bearer(a.token);
  const put = (rest: string, payload: Buffer | string, headers: Record<string, string> = {}) =>
    panel.app.inject({ method: 'PUT', url: filesUrl(rest), headers: { ...tok().headers, ...headers }, payload });
  const patch = (rest: string, body: unknown) => call(panel.app, tok(), 'PATCH', filesUrl(rest), body);
  const extract = (rest: string, body: unknown = {}) =>
    call(panel.app, tok(), 'POST', `/api/v1/sites/${a.siteId}/extractions/${rest}`, body);
  const errorOf = (res: { json(): unknown }) =>
    (res.json() as { error: { code: string; message: string; details?: { paths?: string[] } } }).error;
  const leftovers = (dir = docroot()) =>
    fs.readdirSync(dir, { recursive: true }).filter((n) => String(n).includes('.berth-'));

  beforeAll(async () => {
    panel = await startPanel();
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    a = await makeTenant(panel.app, admin, 'alpha');
    aUid = (await panel.db.tenant.findUniqueOrThrow({ where: { id: a.id } })).uid;
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-manager-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside secret');
  });

  afterAll(async () => {
    await panel.close();
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('answers an ETag and saves with If-Match only while the file is unchanged', async () => {
    const first = await put('index.php', '<?php echo "one";');
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ name: 'index.php', mode: '0644' });
    const read = await call(panel.app, tok(), 'GET', filesUrl('index.php'));
    const etag = read.headers.etag as string;
    expect(etag).toMatch(/^"h-[A-Za-z0-9_-]{43}"$/);
    expect(first.headers.etag).toBe(etag);

    const saved = await put('index.php', '<?php echo "two";', { 'if-match': etag });
    expect(saved.statusCode, saved.body).toBe(201);
    const newTag = saved.headers.etag as string;
    expect(newTag).not.toBe(etag);
    expect((await call(panel.app, tok(), 'GET', filesUrl('index.php'))).headers.etag).toBe(newTag);

    // Someone else saved meanwhile (the site itself, SFTP): the stale editor is refused and nothing changes.
    fs.writeFileSync(at('index.php'), '<?php echo "three";');
    const stale = await put('index.php', '<?php echo "mine";', { 'if-match': newTag });
    expect(stale.statusCode).toBe(412);
    expect(errorOf(stale).code).toBe('FILE_CHANGED');
    expect(errorOf(stale).message).toMatch(/Reload it.*overwrite/);
    expect(fs.readFileSync(at('index.php'), 'utf8')).toBe('<?php echo "three";');
    // Same size, same second: a hash still tells them apart.
    fs.writeFileSync(at('index.php'), '<?php echo "three";'.replace('three', 'THREE'));
    const sameSize = await put('index.php', 'x', {
      'if-match': (await call(panel.app, tok(), 'GET', filesUrl('index.php'))).headers.etag as string,
    });
    expect(sameSize.statusCode).toBe(201);
    expect(fs.readFileSync(at('index.php'), 'utf8')).toBe('x');
    expect((await put('index.php', 'y', { 'if-match': 'W/"h-weak"' })).statusCode).toBe(412);
    expect((await put('gone.php', 'y', { 'if-match': '*' })).statusCode).toBe(412);
    expect(fs.existsSync(at('gone.php'))).toBe(false);

    // If-None-Match: * creates, never replaces.
    const exists = await put('index.php', 'overwritten?', { 'if-none-match': '*' });
    expect(exists.statusCode).toBe(409);
    expect(errorOf(exists)).toMatchObject({ code: 'FILE_EXISTS', details: { paths: ['index.php'] } });
    expect(fs.readFileSync(at('index.php'), 'utf8')).toBe('x');
    const created = await put('new/page.html', '<p>new</p>', { 'if-none-match': '*' });
    expect(created.statusCode, created.body).toBe(201);
    expect(fs.readFileSync(at('new/page.html'), 'utf8')).toBe('<p>new</p>');
    expect(fs.statSync(at('new/page.html')).uid).toBe(aUid);
    expect((await put('new', 'x', { 'if-none-match': '*' })).statusCode).toBe(409);
    expect((await put('index.php', 'x', { 'if-none-match': '"abc"' })).statusCode).toBe(400);
    expect(leftovers()).toEqual([]);
  });

  it('renames and moves, refuses a folder into itself, an occupied target and links out of the root', async () => {
    fs.mkdirSync(at('docs/inner'), { recursive: true });
    fs.writeFileSync(at('docs/readme.txt'), 'readme');
    fs.writeFileSync(at('taken.txt'), 'taken');
    // Made here as root, like the tenant would have made them over SFTP.
    for (const rel of ['docs', 'docs/inner', 'docs/readme.txt', 'taken.txt']) fs.chownSync(at(rel), aUid, aUid);
    fs.symlinkSync(outside, at('outside-link'));

    const renamed = await patch('docs/readme.txt', { to: 'docs/README.md' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'README.md', type: 'file' });
    expect(fs.readFileSync(at('docs/README.md'), 'utf8')).toBe('readme');
    expect(fs.existsSync(at('docs/readme.txt'))).toBe(false);

    const moved = await patch('docs', { to: 'archive/2024/docs' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(fs.readFileSync(at('archive/2024/docs/README.md'), 'utf8')).toBe('readme');
    expect(fs.statSync(at('archive/2024')).uid).toBe(aUid);

    for (const to of ['archive/2024/docs/inner/docs', 'archive/2024/docs/x']) {
      const intoItself = await patch('archive/2024/docs', { to });
      expect(intoItself.statusCode, to).toBe(400);
      expect(errorOf(intoItself).message).toMatch(/into itself/);
    }
    const occupied = await patch('archive/2024/docs/README.md', { to: 'taken.txt' });
    expect(occupied.statusCode).toBe(409);
    expect(errorOf(occupied)).toMatchObject({ code: 'FILE_EXISTS', details: { paths: ['taken.txt'] } });
    expect(fs.readFileSync(at('taken.txt'), 'utf8')).toBe('taken');
    const folderOnFile = await patch('archive/2024/docs', { to: 'taken.txt', overwrite: true });
    expect(folderOnFile.statusCode).toBe(409);
    const replaced = await patch('archive/2024/docs/README.md', { to: 'taken.txt', overwrite: true });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(fs.readFileSync(at('taken.txt'), 'utf8')).toBe('readme');

    const out = await patch('taken.txt', { to: 'outside-link/stolen.txt' });
    expect(out.statusCode).toBe(400);
    const outFrom = await patch('outside-link/secret.txt', { to: 'mine.txt' });
    expect(outFrom.statusCode).toBe(400);
    const linkItself = await patch('outside-link', { to: 'elsewhere' });
    expect(linkItself.statusCode).toBe(400);
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
    expect(fs.existsSync(at('mine.txt'))).toBe(false);
    expect(fs.existsSync(at('taken.txt'))).toBe(true);

    const rootMove = await call(panel.app, tok(), 'PATCH', `${filesUrl()}/`, { to: 'x' });
    expect([400, 404]).toContain(rootMove.statusCode);
    expect((await patch('nothing-here', { to: 'x' })).statusCode).toBe(404);
    expect((await patch('taken.txt', { to: 'taken.txt' })).statusCode).toBe(400);
    expect((await patch('taken.txt', { to: '../escape.txt' })).statusCode).toBe(400);
    expect((await patch('taken.txt', {})).statusCode).toBe(400);
    expect((await patch('taken.txt', { to: 'a.txt', mode: '0644' })).statusCode).toBe(400);
  });

  it('changes permissions through the descriptor, within the allowed modes, never of a link', async () => {
    const res = await patch('taken.txt', { mode: '0600' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: 'taken.txt', mode: '0600' });
    expect(fs.statSync(at('taken.txt')).mode & 0o7777).toBe(0o600);
    expect((await patch('archive', { mode: '0750' })).statusCode).toBe(200);
    expect(fs.statSync(at('archive')).mode & 0o7777).toBe(0o750);

    for (const mode of ['4755', '2755', '1777', '0777', '0666', '755', 'rwx']) {
      const bad = await patch('taken.txt', { mode });
      expect(bad.statusCode, mode).toBe(400);
    }
    expect(fs.statSync(at('taken.txt')).mode & 0o7777).toBe(0o600);

    fs.symlinkSync('taken.txt', at('inside-link'));
    for (const link of ['inside-link', 'outside-link']) {
      const refused = await patch(link, { mode: '0644' });
      expect(refused.statusCode, link).toBe(400);
    }
    expect(fs.statSync(path.join(outside, 'secret.txt')).mode & 0o7777).not.toBe(0o644 | 0o4000);
    expect(fs.statSync(at('taken.txt')).mode & 0o7777).toBe(0o600);
    // A file the tenant does not own (say, left by root) is not the tenant's to change.
    fs.writeFileSync(at('roots.txt'), 'root');
    expect((await patch('roots.txt', { mode: '0644' })).statusCode).toBe(400);
    fs.rmSync(at('roots.txt'));

    const listing = (await call(panel.app, tok(), 'GET', filesUrl())).json() as {
      entries: { name: string; mode: string }[];
    };
    expect(listing.entries.find((e) => e.name === 'taken.txt')?.mode).toBe('0600');
  });

  it('extracts a zip into its folder, owned by the tenant, all or nothing on conflicts', async () => {
    const zip = rawZip([
      { name: 'shop/' },
      { name: 'shop/index.php', data: Buffer.from('<?php echo "shop";'), deflate: true },
      { name: 'shop/assets/app.js', data: Buffer.from('console.log(1)') },
      { name: 'readme.txt', data: Buffer.from('hello from the zip') },
      { name: 'link', data: Buffer.from('/etc/passwd'), mode: 0o120777 },
    ]);
    expect((await put('upload/site.zip', zip)).statusCode).toBe(201);
    const res = await extract('upload/site.zip');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      into: 'upload',
      files: 3,
      bytes: 18 + 14 + 18,
      skipped: [{ name: 'link', reason: expect.stringMatching(/link/) as unknown }],
    });
    expect(fs.readFileSync(at('upload/shop/index.php'), 'utf8')).toBe('<?php echo "shop";');
    expect(fs.readFileSync(at('upload/readme.txt'), 'utf8')).toBe('hello from the zip');
    expect(fs.existsSync(at('upload/link'))).toBe(false);
    for (const rel of ['upload/shop', 'upload/shop/assets', 'upload/shop/index.php', 'upload/readme.txt']) {
      const stat = fs.statSync(at(rel));
      expect(stat.uid, rel).toBe(aUid);
      expect(stat.gid, rel).toBe(aUid);
      expect(stat.mode & 0o777, rel).toBe(stat.isDirectory() ? 0o755 : 0o644);
    }
    expect(leftovers()).toEqual([]);

    // Again: every file exists now, so nothing is written, and the answer names them.
    fs.writeFileSync(at('upload/readme.txt'), 'changed by the tenant');
    const again = await extract('upload/site.zip');
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('FILE_EXISTS');
    expect(errorOf(again).details?.paths).toEqual(
      expect.arrayContaining(['shop/index.php', 'readme.txt']) as unknown as string[],
    );
    expect(fs.readFileSync(at('upload/readme.txt'), 'utf8')).toBe('changed by the tenant');
    const overwrite = await extract('upload/site.zip', { overwrite: true, into: 'upload', deleteArchive: true });
    expect(overwrite.statusCode, overwrite.body).toBe(201);
    expect(fs.readFileSync(at('upload/readme.txt'), 'utf8')).toBe('hello from the zip');
    expect(fs.existsSync(at('upload/site.zip'))).toBe(false);
    expect(leftovers()).toEqual([]);

    // A file where the zip has a folder is in the way, with or without overwrite.
    fs.writeFileSync(at('clash'), 'a file');
    expect((await put('clash.zip', rawZip([{ name: 'clash/x.txt', data: Buffer.from('x') }]))).statusCode).toBe(201);
    const clash = await extract('clash.zip', { overwrite: true });
    expect(clash.statusCode).toBe(409);
    expect(fs.readFileSync(at('clash'), 'utf8')).toBe('a file');
    expect(leftovers()).toEqual([]);
  });

  it('refuses zips that would write outside, bombs and lies, and leaves nothing behind', async () => {
    const siteDir = path.dirname(docroot());
    const before = fs.readdirSync(siteDir).sort();
    const cases: [string, Buffer][] = [
      [
        'dotdot',
        rawZip([
          { name: 'ok.txt', data: Buffer.from('ok') },
          { name: '../evil.txt', data: Buffer.from('evil') },
        ]),
      ],
      ['nested dotdot', rawZip([{ name: 'a/../../evil.txt', data: Buffer.from('evil') }])],
      ['backslash dotdot', rawZip([{ name: '..\\evil.txt', data: Buffer.from('evil') }])],
      ['absolute', rawZip([{ name: '/tmp/berth-evil.txt', data: Buffer.from('evil') }])],
      ['drive', rawZip([{ name: 'C:/evil.txt', data: Buffer.from('evil') }])],
      [
        'declared bomb',
        rawZip([{ name: 'big.bin', data: Buffer.alloc(1000), deflate: true, declaredSize: 3 * 1024 ** 3 }]),
      ],
      ['lying size', rawZip([{ name: 'small.bin', data: Buffer.alloc(1_000_000), deflate: true, declaredSize: 10 }])],
      [
        'many entries',
        rawZip(Array.from({ length: 20_001 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x') }))),
      ],
      [
        'duplicate',
        rawZip([
          { name: 'd.txt', data: Buffer.from('1') },
          { name: 'd.txt', data: Buffer.from('2') },
        ]),
      ],
      ['not a zip', Buffer.from('this is not a zip at all')],
    ];
    for (const [label, bytes] of cases) {
      expect((await put(`bad/${label.replace(/ /g, '-')}.zip`, bytes)).statusCode).toBe(201);
      const res = await extract(`bad/${label.replace(/ /g, '-')}.zip`);
      expect(res.statusCode, `${label}: ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(500);
      expect(errorOf(res).message.length, label).toBeGreaterThan(10);
    }
    expect(fs.readdirSync(at('bad')).every((n) => n.endsWith('.zip'))).toBe(true);
    expect(fs.readdirSync(siteDir).sort()).toEqual(before);
    expect(fs.existsSync('/tmp/berth-evil.txt')).toBe(false);
    expect(fs.existsSync(path.join(siteDir, 'evil.txt'))).toBe(false);
    expect(leftovers()).toEqual([]);

    // Extracting through a link out of the root, or into one, is refused too.
    expect((await put('good.zip', rawZip([{ name: 'g.txt', data: Buffer.from('g') }]))).statusCode).toBe(201);
    expect((await extract('good.zip', { into: 'outside-link' })).statusCode).toBe(400);
    expect((await extract('outside-link/secret.txt')).statusCode).toBe(400);
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
  });

  it('downloads a folder as a zip that holds the same files, without links', async () => {
    fs.mkdirSync(at('pack/sub'), { recursive: true });
    fs.writeFileSync(at('pack/a.txt'), 'alpha');
    fs.writeFileSync(at('pack/sub/b.css'), 'b { }');
    fs.writeFileSync(at('pack/empty.txt'), '');
    fs.symlinkSync('/etc/passwd', at('pack/passwd'));
    fs.symlinkSync('a.txt', at('pack/inner-link'));
    const res = await call(panel.app, tok(), 'GET', `${filesUrl('pack')}?format=zip`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toContain('filename="pack.zip"');
    const files = await unzip(res.rawPayload);
    expect(Object.fromEntries(files)).toEqual({
      'pack/a.txt': 'alpha',
      'pack/empty.txt': '',
      'pack/sub/': '',
      'pack/sub/b.css': 'b { }',
    });
    expect(res.rawPayload.toString('latin1')).not.toContain('root:x:0:0');

    // Round trip: the downloaded zip extracts to the same files elsewhere.
    expect((await put('roundtrip/pack.zip', res.rawPayload)).statusCode).toBe(201);
    expect((await extract('roundtrip/pack.zip')).statusCode).toBe(201);
    expect(fs.readFileSync(at('roundtrip/pack/sub/b.css'), 'utf8')).toBe('b { }');
    expect(fs.readFileSync(at('roundtrip/pack/a.txt'), 'utf8')).toBe('alpha');

    const whole = await call(panel.app, tok(), 'GET', `${filesUrl()}?format=zip`);
    expect(whole.statusCode).toBe(200);
    expect([...(await unzip(whole.rawPayload)).keys()]).toContain('pack/a.txt');
    expect((await call(panel.app, tok(), 'GET', `${filesUrl('pack/a.txt')}?format=zip`)).statusCode).toBe(400);
    expect((await call(panel.app, tok(), 'GET', `${filesUrl('outside-link')}?format=zip`)).statusCode).toBe(400);
    expect((await call(panel.app, tok(), 'GET', `${filesUrl('pack')}?format=tar`)).statusCode).toBe(400);
  });

  it('lets read-only tokens download but not change, and records an event for every change', async () => {
    const read = bearer(a.readToken);
    expect((await call(panel.app, read, 'PATCH', filesUrl('taken.txt'), { mode: '0644' })).statusCode).toBe(403);
    expect((await call(panel.app, read, 'POST', `/api/v1/sites/${a.siteId}/extractions/good.zip`, {})).statusCode).toBe(
      403,
    );
    expect((await call(panel.app, read, 'GET', `${filesUrl('pack')}?format=zip`)).statusCode).toBe(200);

    const events = await panel.db.event.findMany({ where: { tenantId: a.id, action: { startsWith: 'file.' } } });
    const actions = new Set(events.map((e) => e.action));
    for (const action of ['file.upload', 'file.move', 'file.chmod', 'file.extract']) expect(actions).toContain(action);
    const chmod = events.find((e) => e.action === 'file.chmod')!;
    expect(JSON.parse(chmod.details!)).toEqual({ path: 'taken.txt', mode: '0600', was: '0644' });
    const move = events.find((e) => e.action === 'file.move')!;
    expect(JSON.parse(move.details!)).toMatchObject({ path: 'docs/readme.txt', to: 'docs/README.md', type: 'file' });
    // Refused changes are not file events.
    expect(events.filter((e) => e.action === 'file.extract').length).toBe(3);
  });
});

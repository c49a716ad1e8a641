import { describe, expect, it } from 'vitest';
import {
  assertBackupTag,
  assertExtraName,
  assertHostDir,
  assertRestorePath,
  assertSnapshotId,
  assertSnapshotPath,
  backupArgs,
  forgetArgs,
  isWithin,
  parseBackupErrors,
  parseBackupSummary,
  parseForgetOutput,
  parseLsOutput,
  parseSnapshots,
  parseStats,
  resticPattern,
  resticTime,
  retentionFlags,
} from './backup.config.js';

const ID = 'eaba7900230aeedb8fb4859973c060ae2c90bd61d7f73b8e4b4dbe093b496bea';

describe('argument checks', () => {
  it.each([
    [assertSnapshotId, ['eaba7900', ID], ['', 'latest', 'EABA7900', 'eaba790', `${ID}0`, 'eaba7900;rm']],
    [assertExtraName, ['databases', 'panel', 'a-1'], ['sites', 'Databases', '1db', '', 'a_b', 'x'.repeat(33), '../x']],
    [assertBackupTag, ['nightly', 'manual:2024', 'plan=pro'], ['berth', 'tenant=x', 'a,b', 'Big', '', '-x']],
    [
      assertRestorePath,
      ['public/index.php', 'public/img', 'a b/c[1].txt', '.htaccess'],
      ['', '/etc/passwd', '../s2', 'public/../../x', 'a//b', 'a/./b', 'public/', 'a\nb', 'a\0b', '.', '..'],
    ],
    [
      assertSnapshotPath,
      ['/data', '/data/sites/blog/public', '/data/databases'],
      ['/', '/etc', 'data/sites', '/data/../etc', '/data/sites/', '/data//sites', '/data/a\nb', '/datax'],
    ],
  ] as const)('%o accepts the good and refuses the bad', (assert, good, bad) => {
    for (const v of good) expect((assert as (v: string) => string)(v)).toBe(v);
    for (const v of bad) expect(() => (assert as (v: string) => string)(v), JSON.stringify(v)).toThrow(/Invalid/);
  });

  it.each([
    ['/srv/backups/repo', true],
    ['/', true],
    ['relative/repo', false],
    ['/srv//repo', false],
    ['/srv/repo/', false],
    ['/srv/../etc', false],
    ['/srv/a:b', false],
    ['/srv/a,ro', false],
    ['/srv/a\nb', false],
  ])('assertHostDir(%j) → %s', (path, ok) => {
    if (ok) expect(assertHostDir(path, 'path')).toBe(path);
    else expect(() => assertHostDir(path, 'path')).toThrow(/Invalid path/);
  });

  it.each([
    ['/a/b', '/a', true],
    ['/a', '/a', true],
    ['/ab', '/a', false],
    ['/a', '/a/b', false],
    ['/x', '/', true],
  ])('isWithin(%j, %j) → %s', (p, d, want) => expect(isWithin(p, d)).toBe(want));

  it.each([
    ['/data/sites/s1', '/data/sites/s1'],
    ['/data/sites/s1/we[ir]d*?.txt', '/data/sites/s1/we\\[ir\\]d\\*\\?.txt'],
    ['/data/a\\b', '/data/a\\\\b'],
  ])('resticPattern(%j) quotes glob characters', (path, want) => expect(resticPattern(path)).toBe(want));
});

describe('command lines', () => {
  it('backupArgs: host, tags, time, one filesystem, staging excluded, paths sorted', () => {
    expect(
      backupArgs({
        tenantId: 'acme',
        extraNames: ['panel', 'databases'],
        tags: ['nightly', 'nightly'],
        time: new Date('2024-05-06T07:08:09.999Z'),
      }),
    ).toEqual([
      'restic',
      'backup',
      '--json',
      '--host',
      'acme',
      '--tag',
      'berth',
      '--tag',
      'tenant=acme',
      '--tag',
      'nightly',
      '--time',
      '2024-05-06 07:08:09',
      '--one-file-system',
      '--exclude',
      '.berth-restore-??????????',
      '--exclude',
      '.berth-trash-??????????',
      '/data/sites',
      '/data/databases',
      '/data/panel',
    ]);
  });

  it.each([
    [{ tenantId: 'Acme', extraNames: [], tags: [] }, /tenant id/],
    [{ tenantId: 'acme', extraNames: ['sites'], tags: [] }, /sites folder/],
    [{ tenantId: 'acme', extraNames: ['db', 'db'], tags: [] }, /twice/],
    [{ tenantId: 'acme', extraNames: [], tags: ['a,b'] }, /backup tag/],
  ])('backupArgs refuses %j', (args, err) => {
    expect(() => backupArgs({ ...args, time: new Date() })).toThrow(err);
  });

  it.each([
    [{ last: 1 }, ['--keep-last', '1']],
    [{ daily: 7, weekly: 4, monthly: 0 }, ['--keep-daily', '7', '--keep-weekly', '4']],
    [
      { last: 3, daily: 1, weekly: 1, monthly: 12 },
      ['--keep-last', '3', '--keep-daily', '1', '--keep-weekly', '1', '--keep-monthly', '12'],
    ],
  ])('retentionFlags(%j)', (keep, want) => expect(retentionFlags(keep)).toEqual(want));

  it.each([[{}], [{ last: 0 }], [{ last: -1 }], [{ daily: 1.5 }], [{ weekly: 10_001 }]])(
    'retentionFlags refuses %j',
    (keep) => expect(() => retentionFlags(keep)).toThrow(/Invalid/),
  );

  it('forgetArgs scopes to one tenant (host and both tags) or groups every tenant by host', () => {
    expect(forgetArgs({ tenantId: 'acme', keep: { last: 2 } })).toEqual([
      'restic',
      'forget',
      '--json',
      '--tag',
      'berth,tenant=acme',
      '--group-by',
      'host',
      '--host',
      'acme',
      '--keep-last',
      '2',
    ]);
    expect(forgetArgs({ keep: { daily: 7 } })).toEqual([
      'restic',
      'forget',
      '--json',
      '--tag',
      'berth',
      '--group-by',
      'host',
      '--keep-daily',
      '7',
    ]);
  });

  it('resticTime is UTC with whole seconds', () => {
    expect(resticTime(new Date('2024-12-31T23:59:59.500Z'))).toBe('2024-12-31 23:59:59');
  });
});

describe('restic JSON', () => {
  it('parseBackupSummary takes the summary among status lines', () => {
    const out = [
      '{"message_type":"status","percent_done":0,"total_files":1,"total_bytes":5}',
      '{"message_type":"summary","files_new":3,"files_changed":1,"files_unmodified":2,"dirs_new":6,"data_added":3471,"total_files_processed":6,"total_bytes_processed":10,"total_duration":0.225970737,"snapshot_id":"eaba7900"}',
      '',
    ].join('\n');
    expect(parseBackupSummary(out)).toEqual({
      snapshotId: 'eaba7900',
      filesNew: 3,
      filesChanged: 1,
      filesUnmodified: 2,
      dataAddedBytes: 3471,
      totalBytes: 10,
      durationMs: 226,
    });
    expect(parseBackupSummary('{"message_type":"status"}\nFatal: unable to open config file')).toBeUndefined();
  });

  it('parseBackupErrors lists the items restic could not read', () => {
    const err =
      '{"message_type":"error","error":{"Op":"open","Path":"/data/sites/a/x","Err":13},"during":"archival","item":"/data/sites/a/x"}\nWarning: at least one source file could not be read';
    expect(parseBackupErrors(err)).toEqual(['/data/sites/a/x: archival']);
  });

  const snap = (extra: Record<string, unknown>) => ({
    time: '2024-01-02T03:04:05.6Z',
    tree: 'ab',
    paths: ['/data/sites'],
    hostname: 'acme',
    username: 'root',
    tags: ['berth', 'tenant=acme'],
    id: ID,
    short_id: 'eaba7900',
    program_version: 'restic 0.16.0',
    ...extra,
  });

  it.each([
    ['Berth snapshot', snap({}), true],
    ['no berth tag', snap({ tags: ['tenant=acme'] }), false],
    ['no tenant tag', snap({ tags: ['berth'] }), false],
    ['tenant tag and host disagree', snap({ hostname: 'other' }), false],
    ['no tags at all', snap({ tags: null }), false],
    ['not an object', 'x', false],
  ])('parseSnapshots: %s', (_name, item, kept) => {
    const got = parseSnapshots(JSON.stringify([item]));
    expect(got).toHaveLength(kept ? 1 : 0);
    if (kept)
      expect(got[0]).toEqual({
        id: ID,
        shortId: 'eaba7900',
        time: '2024-01-02T03:04:05.6Z',
        tenantId: 'acme',
        tags: ['berth', 'tenant=acme'],
        paths: ['/data/sites'],
        hostname: 'acme',
      });
  });

  it('parseSnapshots sorts oldest first and reads an empty repository', () => {
    const a = snap({ time: '2024-02-01T00:00:00Z', id: 'b'.repeat(64) });
    const b = snap({ time: '2024-01-01T00:00:00Z', id: 'a'.repeat(64) });
    expect(parseSnapshots(JSON.stringify([a, b])).map((s) => s.id[0])).toEqual(['a', 'b']);
    expect(parseSnapshots('[]')).toEqual([]);
    expect(parseSnapshots('null')).toEqual([]);
    expect(() => parseSnapshots('Fatal: wrong password')).toThrow(/cannot read/);
  });

  it('parseLsOutput: the path itself, its direct entries, snapshot owner', () => {
    const lines = [
      JSON.stringify({ ...snap({}), struct_type: 'snapshot' }),
      '{"name":"public","type":"dir","path":"/data/sites/s1/public","mtime":"t0","struct_type":"node"}',
      '{"name":"index.php","type":"file","path":"/data/sites/s1/public/index.php","size":19,"mtime":"t1","struct_type":"node"}',
      '{"name":"passwd","type":"symlink","path":"/data/sites/s1/public/passwd","mtime":"t2","struct_type":"node"}',
      '{"name":"fifo","type":"fifo","path":"/data/sites/s1/public/fifo","mtime":"t3","struct_type":"node"}',
      '{"name":"deep","type":"file","path":"/data/sites/s1/public/a/deep","size":1,"mtime":"t4","struct_type":"node"}',
      '{"name":"a","type":"dir","path":"/data/sites/s1/public/a","mtime":"t5","struct_type":"node"}',
    ].join('\n');
    const got = parseLsOutput(lines, '/data/sites/s1/public');
    expect(got.snapshot?.tenantId).toBe('acme');
    expect(got.self).toMatchObject({ type: 'dir' });
    expect(got.entries).toEqual([
      { path: '/data/sites/s1/public/a', type: 'dir', size: 0, mtime: 't5' },
      { path: '/data/sites/s1/public/index.php', type: 'file', size: 19, mtime: 't1' },
      { path: '/data/sites/s1/public/passwd', type: 'symlink', size: 0, mtime: 't2' },
    ]);
    expect(parseLsOutput(lines, '/data/sites/s1/nothing').self).toBeUndefined();
    expect(parseLsOutput(lines, '/data/sites/s1/public/index.php')).toMatchObject({
      self: { type: 'file', size: 19 },
      entries: [],
    });
  });

  it('parseStats and parseForgetOutput', () => {
    expect(parseStats('{"total_size":2049,"total_file_count":0,"total_blob_count":10,"snapshots_count":1}')).toEqual({
      totalSize: 2049,
      totalFileCount: 0,
      snapshotsCount: 1,
    });
    expect(() => parseStats('')).toThrow(/cannot read/);
    const forget = JSON.stringify([
      { host: 'a', keep: [snap({})], remove: [{ id: 'c'.repeat(64) }, { id: 'd'.repeat(64) }] },
      { host: 'b', keep: [snap({})], remove: null },
    ]);
    expect(parseForgetOutput(forget)).toEqual(['c'.repeat(64), 'd'.repeat(64)]);
    expect(parseForgetOutput('[]')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { isShared, mountsBelow, parseMountinfo, topMountAt } from './mountinfo.js';
import {
  MIN_DISK_BYTES,
  assertHostPath,
  assertLoopDevice,
  diskImageBytes,
  migrationBytes,
  mkfsCommand,
  mountCommand,
} from './tenant-disk.layout.js';
import { assertHostArg } from '../host/host-command.js';

const MiB = 1024 * 1024;

const MOUNTINFO = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard',
  '105 27 254:0 /srv/data/tenants /srv/data/tenants rw,relatime shared:6 - ext4 /dev/vda rw,discard',
  '120 105 7:3 / /srv/data/tenants/acme/sites rw,nosuid,nodev,relatime shared:7 - ext4 /dev/loop3 rw,discard',
  '130 27 254:0 /tmp/a\\040b /tmp/a\\040b rw,relatime - ext4 /dev/vda rw',
  '131 130 254:0 /tmp/a\\040b /tmp/a\\040b rw,relatime - ext4 /dev/vda rw',
].join('\n');

describe('mountinfo', () => {
  const entries = parseMountinfo(MOUNTINFO);

  it('reads mount points, propagation and sources, unescaping paths', () => {
    expect(entries).toHaveLength(5);
    expect(entries[2]).toMatchObject({
      id: 120,
      parentId: 105,
      mountPoint: '/srv/data/tenants/acme/sites',
      source: '/dev/loop3',
      fstype: 'ext4',
      optional: ['shared:7'],
    });
    expect(entries[3]!.mountPoint).toBe('/tmp/a b');
  });

  it('finds the top mount of a point (stacked binds) and whether it propagates', () => {
    expect(topMountAt(entries, '/tmp/a b')?.id).toBe(131);
    expect(isShared(topMountAt(entries, '/srv/data/tenants')!)).toBe(true);
    expect(isShared(topMountAt(entries, '/tmp/a b')!)).toBe(false);
    expect(topMountAt(entries, '/srv/data/tenants/other/sites')).toBeUndefined();
    expect(mountsBelow(entries, '/srv/data/tenants').map((e) => e.id)).toEqual([120]);
    expect(mountsBelow(entries, '/srv/data/tenants/acme/sites')).toEqual([]);
  });
});

describe('tenant disk sizes', () => {
  it('rounds a plan up to whole MiB and refuses tiny or broken sizes', () => {
    expect(diskImageBytes(100 * 1000 * 1000)).toBe(96 * MiB);
    expect(diskImageBytes(64 * MiB)).toBe(64 * MiB);
    expect(() => diskImageBytes(MIN_DISK_BYTES - 1)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => diskImageBytes(Number.NaN)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('never makes a migrated disk smaller than the files it must hold', () => {
    expect(migrationBytes(64 * MiB, 1 * MiB)).toBe(64 * MiB);
    expect(migrationBytes(64 * MiB, 200 * MiB)).toBe(282 * MiB);
  });
});

describe('host commands', () => {
  it('mkfs makes ext4 without reserved blocks, and copies an old tree in only when asked', () => {
    expect(mkfsCommand('/d/tenants/acme/disk.img.new')).toEqual({
      options: ['-q', '-F', '-m', '0', '-E', 'nodiscard'],
      operands: ['/d/tenants/acme/disk.img.new'],
    });
    expect(mkfsCommand('/d/t/acme/disk.img.new', '/d/t/acme/sites.migrating').options).toEqual([
      '-q',
      '-F',
      '-m',
      '0',
      '-E',
      'nodiscard',
      '-d',
      '/d/t/acme/sites.migrating',
    ]);
  });

  it('mounts loop, nodev, nosuid, discard', () => {
    expect(mountCommand('/d/t/acme/disk.img', '/d/t/acme/sites')).toEqual({
      options: ['-t', 'ext4', '-o', 'loop,nodev,nosuid,discard'],
      operands: ['/d/t/acme/disk.img', '/d/t/acme/sites'],
    });
  });

  it.each([['relative/path'], ['/a/../b'], ['/a/'], ['/a\nb'], ['/a\0b'], ['']])('refuses the path %j', (path) => {
    expect(() => assertHostPath(path)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => mountCommand(path, '/d/t/acme/sites')).toThrow();
  });

  it('takes loop devices only as devices, and no operand that reads as an option', () => {
    expect(assertLoopDevice('/dev/loop12')).toBe('/dev/loop12');
    expect(() => assertLoopDevice('/dev/vda')).toThrow(expect.objectContaining({ code: 'LIMITS_FAILED' }));
    expect(() => assertHostArg('--all')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(assertHostArg('--bind', true)).toBe('--bind');
  });
});

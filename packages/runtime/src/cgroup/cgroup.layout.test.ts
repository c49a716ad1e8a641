import { describe, expect, it } from 'vitest';
import {
  UNLIMITED,
  cgroupValuesOf,
  instanceCgroupPath,
  limitFiles,
  parseCgroupMounts,
  systemdSliceProperties,
  tenantCgroupParent,
  valueKey,
  widenedValues,
} from './cgroup.layout.js';

const MiB = 1024 * 1024;

describe('tenantCgroupParent', () => {
  it('is an absolute path per installation and tenant with the cgroupfs driver', () => {
    expect(tenantCgroupParent({ driver: 'cgroupfs' }, 'abc123', 'acme')).toBe('/berth-abc123/acme');
    expect(instanceCgroupPath('abc123')).toBe('/berth-abc123');
  });

  it('is a slice with the systemd driver, the tenant’s dashes escaped so tenant a-b never nests under tenant a', () => {
    expect(tenantCgroupParent({ driver: 'systemd' }, 'abc123', 'acme')).toBe('berth-abc123-acme.slice');
    expect(tenantCgroupParent({ driver: 'systemd' }, 'abc123', 'a-b')).toBe('berth-abc123-a\\x2db.slice');
  });

  it.each([['../etc'], ['a/b'], ['A'], ['']])('refuses the tenant id %j', (tenant) => {
    expect(() => tenantCgroupParent({ driver: 'cgroupfs' }, 'abc123', tenant)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('refuses an installation id that is not plain hex-like text', () => {
    expect(() => tenantCgroupParent({ driver: 'cgroupfs' }, '../x', 'acme')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('limit values and files', () => {
  const plan = { nanoCpus: 1_500_000_000, memoryBytes: 512 * MiB, pids: 256 };

  it('turns a plan into a CFS quota per 100 ms period, bytes and a process count', () => {
    expect(cgroupValuesOf(plan)).toEqual({ memoryBytes: 512 * MiB, cpuQuotaUs: 150_000, pids: 256 });
    expect(cgroupValuesOf({ ...plan, nanoCpus: 10_000_000 }).cpuQuotaUs).toBe(1_000);
  });

  it('writes v1 and v2 files in their own syntax', () => {
    const v = cgroupValuesOf(plan);
    expect(limitFiles(1).map((f) => [f.file, f.format(v)])).toEqual([
      ['memory.limit_in_bytes', String(512 * MiB)],
      ['memory.memsw.limit_in_bytes', String(512 * MiB)],
      ['cpu.cfs_quota_us', '150000'],
      ['pids.max', '256'],
    ]);
    expect(limitFiles(2).map((f) => [f.file, f.format(v)])).toEqual([
      ['memory.max', String(512 * MiB)],
      ['memory.swap.max', '0'],
      ['cpu.max', '150000 100000'],
      ['pids.max', '256'],
    ]);
  });

  it('reads "no limit" in each syntax as UNLIMITED', () => {
    const read = (version: 1 | 2, file: string, text: string) =>
      limitFiles(version).find((f) => f.file === file)!.parse!(text);
    expect(read(1, 'memory.limit_in_bytes', '9223372036854771712\n')).toBe(UNLIMITED);
    expect(read(1, 'memory.limit_in_bytes', '134217728\n')).toBe(128 * MiB);
    expect(read(1, 'cpu.cfs_quota_us', '-1\n')).toBe(UNLIMITED);
    expect(read(2, 'cpu.max', 'max 100000\n')).toBe(UNLIMITED);
    expect(read(2, 'cpu.max', '50000 100000\n')).toBe(50_000);
    expect(read(2, 'pids.max', 'max\n')).toBe(UNLIMITED);
    expect(
      limitFiles(2)
        .filter((f) => f.parse)
        .map(valueKey),
    ).toEqual(['memoryBytes', 'cpuQuotaUs', 'pids']);
  });

  it('widens to the larger of old and new while containers change, and sets a new cgroup at once', () => {
    const old = { memoryBytes: 512 * MiB, cpuQuotaUs: 50_000, pids: 300 };
    const next = { memoryBytes: 256 * MiB, cpuQuotaUs: 100_000, pids: 200 };
    expect(widenedValues(old, next)).toEqual({ memoryBytes: 512 * MiB, cpuQuotaUs: 100_000, pids: 300 });
    expect(widenedValues({ memoryBytes: UNLIMITED, cpuQuotaUs: UNLIMITED, pids: UNLIMITED }, next)).toEqual(next);
  });

  it('gives systemd the same totals as slice properties', () => {
    expect(systemdSliceProperties(plan)).toEqual([
      `MemoryMax=${512 * MiB}`,
      'MemorySwapMax=0',
      'CPUQuota=150%',
      'TasksMax=256',
    ]);
    expect(systemdSliceProperties({ ...plan, nanoCpus: 250_000_000 })).toContain('CPUQuota=25%');
  });
});

describe('parseCgroupMounts', () => {
  it('finds each v1 hierarchy under the root with its controllers, and the v2 mount of a hybrid host', () => {
    const mountinfo = [
      '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
      '31 27 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
      '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
      '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
      '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
      '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
      '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
      '99 27 0:50 / /elsewhere/memory rw,relatime - cgroup cgroup rw,memory',
    ].join('\n');
    expect(parseCgroupMounts(mountinfo, '/sys/fs/cgroup')).toEqual([
      { mountPoint: '/sys/fs/cgroup/cpu,cpuacct', controllers: ['cpu', 'cpuacct'] },
      { mountPoint: '/sys/fs/cgroup/memory', controllers: ['memory'] },
      { mountPoint: '/sys/fs/cgroup/pids', controllers: ['pids'] },
      { mountPoint: '/sys/fs/cgroup/systemd', controllers: [] },
      { mountPoint: '/sys/fs/cgroup/unified', controllers: [] },
    ]);
  });
});

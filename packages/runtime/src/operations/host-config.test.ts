import { describe, expect, it } from 'vitest';
import { TMP_MIB, hardenedHostConfig, scratchTmpfs } from './host-config.js';
import { webserverScratch } from './webserver.js';
import { phpTmpMiB } from './php-fpm.js';

const LIMITS = { nanoCpus: 500_000_000, memoryBytes: 256 * 1024 * 1024, pids: 128 };

describe('hardenedHostConfig', () => {
  it('makes the root filesystem read-only and gives /tmp plus the role’s scratch dirs as size-limited tmpfs', () => {
    const hc = hardenedHostConfig({
      network: 'berth-acme',
      limits: LIMITS,
      capAdd: [],
      binds: [],
      scratch: [{ path: '/run', sizeMiB: 1 }],
    });
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.Tmpfs).toEqual({
      '/tmp': `rw,nosuid,nodev,noexec,size=${TMP_MIB}m,mode=1777`,
      '/run': 'rw,nosuid,nodev,noexec,size=1m,mode=755',
    });
  });

  it('sizes /tmp on request and marks only exec dirs executable', () => {
    expect(scratchTmpfs([{ path: '/var/lib/varnish/varnishd', sizeMiB: 64, mode: 0o1777, exec: true }], 128)).toEqual({
      '/tmp': 'rw,nosuid,nodev,noexec,size=128m,mode=1777',
      '/var/lib/varnish/varnishd': 'rw,nosuid,nodev,exec,size=64m,mode=1777',
    });
  });

  it.each([['relative'], ['/a,size=1g'], ['/a/../etc'], ['/a/./b'], ['/'], ['/a b']])(
    'refuses the scratch path %j',
    (path) => {
      expect(() => scratchTmpfs([{ path, sizeMiB: 1 }])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    },
  );

  it('refuses a zero or fractional size and a second /tmp', () => {
    expect(() => scratchTmpfs([{ path: '/run', sizeMiB: 0 }])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => scratchTmpfs([{ path: '/run', sizeMiB: 1.5 }])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => scratchTmpfs([{ path: '/tmp', sizeMiB: 1 }])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('scratch dirs per role', () => {
  it('nginx writes /run and its temp dirs (half its memory, at least 64 MiB); apache its logs dir', () => {
    expect(webserverScratch('nginx', 256 * 1024 * 1024)).toEqual([
      { path: '/run', sizeMiB: 1 },
      { path: '/var/lib/nginx', sizeMiB: 128 },
      { path: '/var/cache/nginx', sizeMiB: 128 },
    ]);
    expect(webserverScratch('nginx', 64 * 1024 * 1024).map((d) => d.sizeMiB)).toEqual([1, 64, 64]);
    expect(webserverScratch('apache', 256 * 1024 * 1024)).toEqual([{ path: '/usr/local/apache2/logs', sizeMiB: 1 }]);
  });

  it('PHP-FPM’s /tmp holds two of the plan’s largest uploads', () => {
    const bounds = {
      memoryLimitMb: { min: 16, max: 256 },
      uploadMaxMb: { min: 1, max: 100 },
      postMaxMb: { min: 1, max: 100 },
      maxExecutionSeconds: { min: 1, max: 60 },
      maxChildren: 4,
    };
    expect(phpTmpMiB(bounds)).toBe(200);
    expect(phpTmpMiB({ ...bounds, postMaxMb: { min: 1, max: 8 } })).toBe(TMP_MIB);
  });
});

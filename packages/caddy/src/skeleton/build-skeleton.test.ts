import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSkeleton } from './build-skeleton.js';
import type { BuildSkeletonOptions } from './options.js';

const GOLDEN = join(import.meta.dirname, '__golden__');
const base: BuildSkeletonOptions = {
  admin: { listen: 'unix//var/lib/berth/caddy/admin/admin.sock', config: { persist: false } },
  storage: { module: 'file_system', root: '/var/lib/berth/caddy/storage' },
  table: {
    snapshot: '/var/lib/berth/caddy/table/hosts.json',
    staticBase: '/var/lib/berth/tenants',
    logsDir: '/var/lib/berth/caddy/logs',
  },
};

/** golden compares with __golden__/<name>.json; BERTH_UPDATE_GOLDEN=1 rewrites it. */
function golden(name: string, value: unknown): void {
  const file = join(GOLDEN, `${name}.json`);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.BERTH_UPDATE_GOLDEN === '1') writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe('buildSkeleton', () => {
  it('is the fixed skeleton: no host anywhere, one catch-all chain per server, on-demand TLS through the host table', () => {
    const config = buildSkeleton(base);
    golden('skeleton', config);
    expect(JSON.stringify(config)).not.toMatch(/"host":/);
  });

  it('builds an ACME issuer for a custom directory with trusted roots and an email', () => {
    golden(
      'skeleton-acme',
      buildSkeleton({
        ...base,
        acme: {
          directory: { url: 'https://127.0.0.1:14000/dir' },
          email: 'ops@example.com',
          trustedRootsPemFiles: ['/etc/pebble/ca.pem'],
        },
        listen: { host: '127.0.0.1', httpPort: 8080, httpsPort: 8443 },
      }),
    );
  });

  it('refuses unsafe settings', () => {
    expect(() => buildSkeleton({ ...base, listen: { httpPort: 70_000 } })).toThrow(/listen.httpPort/);
    expect(() => buildSkeleton({ ...base, table: { ...base.table, staticBase: 'tenants' } })).toThrow(
      /table.staticBase/,
    );
    expect(() => buildSkeleton({ ...base, table: { ...base.table, snapshot: '/var/lib/{env.HOME}/x' } })).toThrow(
      /table.snapshot/,
    );
    expect(() => buildSkeleton({ ...base, acme: { directory: { url: 'file:///etc/passwd' } } })).toThrow(
      /acme.directory.url/,
    );
    expect(() => buildSkeleton({ ...base, acme: { directory: 'zerossl' } })).toThrow(/ZeroSSL/);
    expect(() => buildSkeleton({ ...base, upstream: { tryDuration: '10 seconds' } })).toThrow(/upstream.tryDuration/);
  });

  it('is byte-identical for the same options (an unchanged skeleton costs no reload)', () => {
    expect(JSON.stringify(buildSkeleton(base))).toBe(JSON.stringify(buildSkeleton({ ...base })));
  });
});

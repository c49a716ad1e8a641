import { describe, expect, it } from 'vitest';
import type { DesiredTenant } from './desired.js';
import { toEdgeTenant } from './edge-spec.js';
import { tenantSubnetSlot, toRuntimeSpec } from './runtime-spec.js';

const tenant: DesiredTenant = {
  id: 't1',
  slug: 'acme',
  uid: 200001,
  status: 'active',
  webserver: 'nginx',
  varnishEnabled: true,
  ports: { web: 20000, cache: 20001 },
  plan: {
    cpuMillicores: 500,
    memoryMb: 512,
    pidsLimit: 128,
    phpMaxMemoryMb: 256,
    phpMaxUploadMb: 64,
    phpMaxExecSeconds: 60,
  },
  sites: [
    {
      id: 's1',
      name: 'www',
      kind: 'php',
      version: '8.2',
      status: 'pending',
      settings: { php: { memoryLimitMb: 1024, displayErrors: true } },
      domains: [
        {
          id: 'd1',
          hostname: 'example.com',
          kind: 'primary',
          redirectTo: null,
          redirectCode: null,
          tls: 'auto',
          wwwRedirect: 'www-to-apex',
          verified: true,
        },
        {
          id: 'd2',
          hostname: 'old.example.com',
          kind: 'redirect',
          redirectTo: 'https://example.com/',
          redirectCode: 302,
          tls: 'auto',
          wwwRedirect: 'none',
          verified: true,
        },
        {
          id: 'd3',
          hostname: 'alias.example.com',
          kind: 'alias',
          redirectTo: null,
          redirectCode: null,
          tls: 'custom',
          wwwRedirect: 'none',
          verified: true,
        },
      ],
    },
    { id: 's2', name: 'api', kind: 'node', version: '20', status: 'pending', settings: {}, domains: [] },
  ],
};

describe('toRuntimeSpec', () => {
  it('maps plan limits, clamps PHP settings and gives the webserver every served name', () => {
    const spec = toRuntimeSpec(tenant);
    expect(spec.tenant).toEqual({ tenantId: 't1', uid: 200001, gid: 200001 });
    expect(spec.webserver).toMatchObject({ kind: 'nginx', port: 20000, limits: { nanoCpus: 500_000_000 } });
    // The plan is the tenant's total (its parent cgroup), whatever each container's cap.
    expect(spec.limits).toEqual({ nanoCpus: 500_000_000, memoryBytes: 512 * 1024 * 1024, pids: 128 });
    expect(spec.disk).toBeUndefined();
    expect(toRuntimeSpec({ ...tenant, plan: { ...tenant.plan, diskMb: 1000 } }).disk).toEqual({
      bytes: 1000 * 1024 * 1024,
    });
    expect(spec.varnish).toMatchObject({ port: 20001 });
    const php = spec.sites[0]!;
    expect(php).toMatchObject({
      kind: 'php',
      version: '8.2',
      documentRoot: 'public',
      php: { memoryLimitMb: 256, displayErrors: true },
    });
    // Redirect-only domains never reach the webserver; the www twin does (Caddy redirects it, but aliases and twins are named).
    expect(php.hostnames.sort()).toEqual(['alias.example.com', 'example.com', 'www.example.com']);
  });

  it('gives a site without domains an unreachable placeholder name so its containers still run', () => {
    const app = toRuntimeSpec(tenant).sites[1]!;
    expect(app).toMatchObject({
      kind: 'node',
      hostnames: ['s2.site.invalid'],
      command: ['node', 'server.js'],
      port: 3000,
    });
  });
});

describe('toEdgeTenant', () => {
  it('sends traffic to Varnish when enabled, serves static files from the document root, and uses the local CA until a custom certificate exists', () => {
    const t = toEdgeTenant(tenant, { tenantsDir: '/data/tenants', backendHost: '127.0.0.1' });
    expect(t.upstream).toBe('127.0.0.1:20001');
    expect(t.sites[0]!.documentRoot).toBe('/data/tenants/t1/sites/s1/public');
    const [primary, redirect, alias] = t.sites[0]!.domains;
    expect(primary).toMatchObject({
      kind: 'primary',
      tls: { mode: 'auto' },
      wwwRedirect: 'www-to-apex',
      accessLog: true,
    });
    expect(redirect).toMatchObject({ kind: 'redirect', redirectTo: 'https://example.com/', redirectStatus: 302 });
    expect(alias).toMatchObject({ kind: 'alias', tls: { mode: 'internal' } });
    expect(
      toEdgeTenant({ ...tenant, varnishEnabled: false }, { tenantsDir: '/d', backendHost: '127.0.0.1' }).upstream,
    ).toBe('127.0.0.1:20000');
    expect(toEdgeTenant(tenant, { tenantsDir: '/d', backendHost: '::1' }).upstream).toBe('[::1]:20001');
  });

  it('leaves out a hostname whose ownership is not verified yet: no record, so no certificate either', () => {
    const pending = {
      ...tenant,
      sites: [{ ...tenant.sites[0]!, domains: tenant.sites[0]!.domains.map((d, i) => ({ ...d, verified: i !== 0 })) }],
    };
    expect(
      toEdgeTenant(pending, { tenantsDir: '/d', backendHost: '127.0.0.1' }).sites[0]!.domains.map((d) => d.hostname),
    ).toEqual(['old.example.com', 'alias.example.com']);
  });
});

describe('tenant network slot', () => {
  it('prefers the /27 at the tenant uid offset of the pool', () => {
    expect(tenantSubnetSlot(200_000)).toBe(0);
    expect(tenantSubnetSlot(200_041)).toBe(41);
    expect(toRuntimeSpec(tenant, { networkPool: '10.208.0.0/12' }).network).toEqual({
      pool: '10.208.0.0/12',
      preferredSlot: 1,
    });
  });
});

import { describe, expect, it } from 'vitest';
import type { DesiredTenant } from '../desired.js';
import { buildHostRecords } from './build-host-records.js';

const staticBase = '/srv/tenants';
const tenant = (over: Partial<DesiredTenant> = {}): DesiredTenant => ({
  id: 't1',
  status: 'active',
  upstream: '127.0.0.1:20001',
  sites: [
    {
      id: 's1',
      documentRoot: '/srv/tenants/t1/sites/s1/public',
      domains: [
        {
          id: 'd1',
          hostname: 'example.com',
          kind: 'primary',
          wwwRedirect: 'www-to-apex',
          tls: { mode: 'auto' },
          accessLog: true,
        },
        {
          id: 'd2',
          hostname: 'old.example.com',
          kind: 'redirect',
          redirectTo: 'https://example.com',
          redirectStatus: 302,
          wwwRedirect: 'none',
          tls: { mode: 'off' },
        },
      ],
    },
  ],
  ...over,
});

describe('buildHostRecords', () => {
  it('gives each host one record: the canonical name proxies, its www twin redirects to it, redirects redirect', () => {
    const { records, problems } = buildHostRecords([tenant()], { staticBase });
    expect(problems).toEqual([]);
    expect(records).toEqual([
      {
        tenant: 't1',
        site: 's1',
        domain: 'd1',
        tls: { mode: 'auto' },
        log: true,
        host: 'example.com',
        action: 'proxy',
        upstream: '127.0.0.1:20001',
        static: { root: '/srv/tenants/t1/sites/s1/public', prefixes: ['/static', '/media'] },
      },
      {
        tenant: 't1',
        site: 's1',
        domain: 'd1',
        tls: { mode: 'auto' },
        log: true,
        host: 'www.example.com',
        action: 'canonical',
        canonical: 'example.com',
      },
      {
        tenant: 't1',
        site: 's1',
        domain: 'd2',
        tls: { mode: 'off' },
        host: 'old.example.com',
        action: 'redirect',
        redirect: { to: 'https://example.com', status: 302, preserve_path: true },
      },
    ]);
  });

  it('answers every host of a suspended tenant with the suspended page', () => {
    const { records } = buildHostRecords([tenant({ status: 'suspended' })], { staticBase });
    expect(records.map((r) => [r.host, r.action])).toEqual([
      ['example.com', 'suspended'],
      ['www.example.com', 'suspended'],
      ['old.example.com', 'suspended'],
    ]);
  });

  it('keeps a bad value to its own domain: the other hosts, and the other tenant, are unaffected', () => {
    const bad = tenant({
      id: 't2',
      upstream: '127.0.0.1:20002',
      sites: [
        {
          id: 's2',
          documentRoot: '/elsewhere/public',
          domains: [
            { id: 'd9', hostname: 'b.example.net', kind: 'primary', wwwRedirect: 'none', tls: { mode: 'internal' } },
          ],
        },
        {
          id: 's3',
          documentRoot: '/srv/tenants/t2/sites/s3/public',
          domains: [
            { id: 'd8', hostname: 'www.example.com', kind: 'primary', wwwRedirect: 'none', tls: { mode: 'internal' } },
          ],
        },
      ],
    });
    const { records, problems } = buildHostRecords([tenant(), bad], { staticBase });
    expect(problems.map((p) => [p.domainId, p.host])).toEqual([
      ['d1', 'www.example.com'],
      ['d9', 'b.example.net'],
    ]);
    expect(problems[0]!.reason).toMatch(/another domain's hostname/);
    expect(problems[1]!.reason).toMatch(/static.root/);
    expect(records.map((r) => r.host)).toEqual(['example.com', 'old.example.com', 'www.example.com']);
  });

  it('refuses a custom certificate whose key does not parse, for that host only', () => {
    const t = tenant();
    t.sites[0]!.domains[1] = {
      id: 'd3',
      hostname: 'shop.example.com',
      kind: 'alias',
      wwwRedirect: 'none',
      tls: { mode: 'custom', certificatePem: 'nope', keyPem: 'nope' },
    };
    const { records, problems } = buildHostRecords([t], { staticBase });
    expect(problems).toMatchObject([{ domainId: 'd3', host: 'shop.example.com' }]);
    expect(records.map((r) => r.host)).toEqual(['example.com', 'www.example.com']);
  });
});

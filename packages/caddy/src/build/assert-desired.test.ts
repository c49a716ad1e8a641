import { describe, expect, it } from 'vitest';
import type { DesiredDomain, DesiredEdge } from '../desired.js';
import { CaddyConfigInputError } from './assert-input.js';
import { buildCaddyConfig } from './build-caddy-config.js';
import type { BuildCaddyConfigOptions } from './options.js';

const domain = (over: Partial<DesiredDomain> = {}): DesiredDomain =>
  ({ id: 'd1', hostname: 'example.com', kind: 'primary', wwwRedirect: 'none', tls: { mode: 'auto' }, ...over }) as DesiredDomain;

function edge({ domains = [domain()], port = 20001, documentRoot = '/srv/t1/s1', staticPaths }: { domains?: DesiredDomain[]; port?: number; documentRoot?: string; staticPaths?: Array<{ prefix: string; directory?: string }> } = {}): DesiredEdge {
  return { tenants: [{ id: 't1', status: 'active', upstreamPort: port, sites: [{ id: 's1', documentRoot, ...(staticPaths ? { staticPaths } : {}), domains }] }] };
}

const build = (desired: DesiredEdge, extra: Partial<BuildCaddyConfigOptions> = {}) => buildCaddyConfig({ desired, admin: {}, ...extra });

describe('builder input assertions', () => {
  it('accepts a valid edge', () => {
    expect(() => build(edge())).not.toThrow();
  });

  it.each(['Example.com', '*.example.com', 'example', '127.0.0.1', 'example.com.', 'exa mple.com', '-bad.example.com', 'a..b.com', 'ex_ample.com', `${'a'.repeat(64)}.com`, 'example.com:443', 'exa{x}.com'])(
    'refuses hostname %j',
    (hostname) => {
      expect(() => build(edge({ domains: [domain({ hostname })] }))).toThrow(CaddyConfigInputError);
    },
  );

  it.each([0, 65536, 80.5, Number.NaN, '8080' as unknown as number])('refuses upstream port %j', (port) => {
    expect(() => build(edge({ port }))).toThrow(/upstreamPort/);
  });

  it.each(['srv/site', '/srv/../etc', '/srv/./x', '/srv//x', '/srv/{http.request.host}', '/srv/x\n', '/srv\\x'])('refuses document root %j', (documentRoot) => {
    expect(() => build(edge({ documentRoot }))).toThrow(/documentRoot/);
  });

  it.each(['static', '/static/', '/static/*', '/../x', '/a b'])('refuses static prefix %j', (prefix) => {
    expect(() => build(edge({ staticPaths: [{ prefix }] }))).toThrow(/staticPaths/);
  });

  it('refuses a hostname served twice, including through a www twin', () => {
    expect(() => build(edge({ domains: [domain(), domain({ id: 'd2' })] }))).toThrow(/already served by domain d1/);
    expect(() => build(edge({ domains: [domain({ wwwRedirect: 'www-to-apex' }), domain({ id: 'd2', hostname: 'www.example.com' })] }))).toThrow(/already served/);
  });

  it('refuses duplicate domain ids (Caddy would reject the duplicate @id)', () => {
    expect(() => build(edge({ domains: [domain(), domain({ hostname: 'other.example.com' })] }))).toThrow(/duplicate id/);
  });

  it.each(['javascript:alert(1)', 'ftp://example.org/', 'https://user:pw@example.org/', 'not a url', 'https://example.org/a{b}'])('refuses redirect target %j', (redirectTo) => {
    expect(() => build(edge({ domains: [domain({ kind: 'redirect', redirectTo, redirectStatus: 301 } as Partial<DesiredDomain>)] }))).toThrow(/redirectTo/);
  });

  it('refuses a redirect query combined with preservePath', () => {
    expect(() => build(edge({ domains: [domain({ kind: 'redirect', redirectTo: 'https://example.org/?a=1', redirectStatus: 302 } as Partial<DesiredDomain>)] }))).toThrow(/preservePath/);
  });

  it('refuses relative custom certificate paths and bad option values', () => {
    expect(() => build(edge({ domains: [domain({ tls: { mode: 'custom', certificateFile: 'cert.pem', keyFile: '/k.pem' } })] }))).toThrow(/certificateFile/);
    expect(() => build(edge(), { listen: { httpsPort: 70000 } })).toThrow(/httpsPort/);
    expect(() => build(edge(), { listen: { host: 'example.com' } })).toThrow(/listen.host/);
    expect(() => build(edge(), { upstream: { tryDuration: '5 minutes' } })).toThrow(/tryDuration/);
    expect(() => build(edge(), { acme: { email: 'not-an-email' } })).toThrow(/email/);
    expect(() => build(edge(), { acme: { directory: 'zerossl' } })).toThrow(/ZeroSSL/);
    expect(() => build(edge(), { onDemand: { permissionEndpoint: 'file:///etc/passwd' } })).toThrow(/permissionEndpoint/);
  });

  it('never writes the deprecated on-demand `ask` next to the permission module', () => {
    const json = JSON.stringify(build(edge(), { onDemand: { permissionEndpoint: 'http://127.0.0.1:3000/ask' } }));
    expect(json).toContain('"permission":{"module":"http","endpoint":"http://127.0.0.1:3000/ask"}');
    expect(json).not.toContain('"ask"');
  });
});

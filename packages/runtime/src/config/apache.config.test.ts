import { describe, expect, it } from 'vitest';
import { renderApacheConfig } from './apache.config.js';
import { ACME_SITES } from './__golden__/fixtures.js';
import { expectGolden } from './golden.helper.js';
import type { SiteSpec } from '../runtime.types.js';

describe('renderApacheConfig', () => {
  it('renders every site kind of a tenant (golden)', () => {
    expectGolden('apache.acme.conf', renderApacheConfig({ tenantId: 'acme', sites: ACME_SITES }));
  });

  it('rejects a hostname that could inject directives', () => {
    const site: SiteSpec = { kind: 'static', siteId: 'x', hostnames: ['x.test\n</VirtualHost>'], documentRoot: '' };
    expect(() => renderApacheConfig({ tenantId: 'acme', sites: [site] })).toThrow(/Invalid hostname/);
  });

  it('rejects a site id with a quote', () => {
    const site: SiteSpec = { kind: 'static', siteId: 'x"y', hostnames: ['x.test'], documentRoot: '' };
    expect(() => renderApacheConfig({ tenantId: 'acme', sites: [site] })).toThrow(/Invalid site id/);
  });
});

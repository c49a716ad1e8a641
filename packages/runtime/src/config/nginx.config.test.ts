import { describe, expect, it } from 'vitest';
import { renderNginxConfig } from './nginx.config.js';
import { ACME_SITES } from './__golden__/fixtures.js';
import { expectGolden } from './golden.helper.js';
import type { SiteSpec } from '../runtime.types.js';

describe('renderNginxConfig', () => {
  it('renders every site kind of a tenant (golden)', () => {
    expectGolden('nginx.acme.conf', renderNginxConfig({ tenantId: 'acme', sites: ACME_SITES }));
  });

  it('is independent of site order', () => {
    expect(renderNginxConfig({ tenantId: 'acme', sites: [...ACME_SITES].reverse() })).toBe(
      renderNginxConfig({ tenantId: 'acme', sites: ACME_SITES }),
    );
  });

  it.each([
    ['uppercase', 'Shop.acme.test'],
    ['injection', 'a.test; return 200'],
    ['newline', 'a.test\nlocation'],
    ['underscore', 'a_b.test'],
    ['trailing dot', 'a.test.'],
    ['empty label', 'a..test'],
  ])('rejects a hostname with %s', (_why, hostname) => {
    const site: SiteSpec = { kind: 'static', siteId: 'x', hostnames: [hostname], documentRoot: '' };
    expect(() => renderNginxConfig({ tenantId: 'acme', sites: [site] })).toThrow(/Invalid hostname/);
  });

  it.each(['../etc', 'public/../../x', '.git', 'a b', 'a;b'])('rejects document root %j', (documentRoot) => {
    const site: SiteSpec = { kind: 'static', siteId: 'x', hostnames: ['x.test'], documentRoot };
    expect(() => renderNginxConfig({ tenantId: 'acme', sites: [site] })).toThrow(/Invalid document root/);
  });

  it('rejects one hostname on two sites', () => {
    const a: SiteSpec = { kind: 'static', siteId: 'a', hostnames: ['x.test'], documentRoot: '' };
    const b: SiteSpec = { kind: 'static', siteId: 'b', hostnames: ['x.test'], documentRoot: '' };
    expect(() => renderNginxConfig({ tenantId: 'acme', sites: [a, b] })).toThrow(/used by two sites/);
  });

  it('rejects a tenant id that is not a slug', () => {
    expect(() => renderNginxConfig({ tenantId: 'Acme Corp', sites: [] })).toThrow(/Invalid tenant id/);
  });
});

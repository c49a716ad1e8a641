import { describe, expect, it } from 'vitest';
import { renderPhpFpmConfig } from './php-fpm.config.js';
import { assignPoolPorts } from './php-pools.js';
import { ACME_BOUNDS, ACME_SITES } from './__golden__/fixtures.js';
import { expectGolden } from './golden.helper.js';
import type { PhpSite } from '../runtime.types.js';

const php = ACME_SITES.filter((s): s is PhpSite => s.kind === 'php');

describe('renderPhpFpmConfig', () => {
  it('renders one ondemand pool per site on PHP 8.2, clamped to the plan (golden)', () => {
    expectGolden('php-fpm.acme-8.2.conf', renderPhpFpmConfig({ tenantId: 'acme', version: '8.2', sites: php, bounds: ACME_BOUNDS }));
  });

  it('renders the single PHP 7.4 pool on port 9000 (golden)', () => {
    expectGolden('php-fpm.acme-7.4.conf', renderPhpFpmConfig({ tenantId: 'acme', version: '7.4', sites: php, bounds: ACME_BOUNDS }));
  });

  it('clamps settings to the plan bounds and never lets upload exceed post', () => {
    const text = renderPhpFpmConfig({ tenantId: 'acme', version: '8.2', sites: php, bounds: ACME_BOUNDS });
    const shop = text.slice(text.indexOf('[shop]'));
    expect(shop).toContain('php_admin_value[memory_limit] = 512M');
    expect(shop).toContain('php_admin_value[max_execution_time] = 5');
    expect(shop).toContain('php_admin_value[upload_max_filesize] = 32M');
  });

  it('rejects a version outside the catalog', () => {
    expect(() => renderPhpFpmConfig({ tenantId: 'acme', version: '5.6' as never, sites: php, bounds: ACME_BOUNDS })).toThrow(/Invalid PHP version/);
  });

  it('rejects non-numeric settings', () => {
    const bad = php.map((s) => ({ ...s, php: { ...s.php, memoryLimitMb: Number.NaN } }));
    expect(() => renderPhpFpmConfig({ tenantId: 'acme', version: '8.2', sites: bad, bounds: ACME_BOUNDS })).toThrow(/must be a number/);
  });
});

describe('assignPoolPorts', () => {
  it('gives sites of one version consecutive ports from 9000 in id order', () => {
    expect([...assignPoolPorts(php, '8.2')]).toEqual([
      ['blog', 9000],
      ['shop', 9001],
    ]);
    expect([...assignPoolPorts(php, '8.4')]).toEqual([['next', 9000]]);
  });
});

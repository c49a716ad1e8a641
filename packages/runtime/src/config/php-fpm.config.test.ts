import { describe, expect, expectTypeOf, it } from 'vitest';
import { renderPhpFpmConfig, type PhpFpmConfigInput } from './php-fpm.config.js';
import { assignPoolPorts } from './php-pools.js';
import { ACME_BOUNDS, ACME_SITES } from './__golden__/fixtures.js';
import { expectGolden } from './golden.helper.js';
import type { PhpSite } from '../runtime.types.js';

const php = ACME_SITES.filter((s): s is PhpSite => s.kind === 'php');

describe('renderPhpFpmConfig', () => {
  it('renders one ondemand pool per site on PHP 8.2, clamped to the plan (golden)', () => {
    expectGolden(
      'php-fpm.acme-8.2.conf',
      renderPhpFpmConfig({ tenantId: 'acme', version: '8.2', sites: php, bounds: ACME_BOUNDS }),
    );
  });

  it('renders the single PHP 7.4 pool on port 9000 (golden)', () => {
    expectGolden(
      'php-fpm.acme-7.4.conf',
      renderPhpFpmConfig({ tenantId: 'acme', version: '7.4', sites: php, bounds: ACME_BOUNDS }),
    );
  });

  it('clamps settings to the plan bounds and never lets upload exceed post', () => {
    const text = renderPhpFpmConfig({ tenantId: 'acme', version: '8.2', sites: php, bounds: ACME_BOUNDS });
    const shop = text.slice(text.indexOf('[shop]'));
    expect(shop).toContain('php_admin_value[memory_limit] = 512M');
    expect(shop).toContain('php_admin_value[max_execution_time] = 5');
    expect(shop).toContain('php_admin_value[upload_max_filesize] = 32M');
  });

  it('takes only catalog versions: another is no TPhpVersion (parsePhpVersion refuses it at the API)', () => {
    expectTypeOf<'5.6'>().not.toExtend<PhpFpmConfigInput['version']>();
    expectTypeOf<string>().not.toExtend<PhpFpmConfigInput['version']>();
  });

  it('rejects non-numeric settings', () => {
    const bad = php.map((s) => ({ ...s, php: { ...s.php, memoryLimitMb: Number.NaN } }));
    expect(() => renderPhpFpmConfig({ tenantId: 'acme', version: '8.2', sites: bad, bounds: ACME_BOUNDS })).toThrow(
      /must be a number/,
    );
  });
});

describe('assignPoolPorts', () => {
  it('gives each site of a version its own port, and adding or removing a site never moves the others', () => {
    const ports = assignPoolPorts(php, '8.2');
    expect([...ports.keys()].sort()).toEqual(['blog', 'shop']);
    const values = [...ports.values()];
    expect(new Set(values).size).toBe(2);
    for (const p of values) expect(p >= 9000 && p < 19000).toBe(true);
    expect([...assignPoolPorts(php, '8.4').keys()]).toEqual(['next']);
    // Many sites: all distinct, and each keeps its port when others come and go.
    const many = Array.from({ length: 200 }, (_, i) => ({ ...php[0]!, siteId: `site-${i}`, version: '8.2' as const }));
    const all = assignPoolPorts(many, '8.2');
    expect(new Set(all.values()).size).toBe(200);
    const fewer = assignPoolPorts(
      many.filter((_, i) => i % 3 !== 0),
      '8.2',
    );
    let moved = 0;
    for (const [id, port] of fewer) if (all.get(id) !== port) moved++;
    expect(moved).toBeLessThanOrEqual(3);
    const withNew = assignPoolPorts(
      [...many.slice(0, 50), { ...php[0]!, siteId: 'newcomer', version: '8.2' as const }],
      '8.2',
    );
    expect([...assignPoolPorts(many.slice(0, 50), '8.2')].every(([id, port]) => withNew.get(id) === port)).toBe(true);
  });
});

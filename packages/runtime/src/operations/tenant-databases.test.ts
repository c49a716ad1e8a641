import { describe, expect, it } from 'vitest';
import { isTenantName } from './tenant-databases.js';

describe('isTenantName: only names the panel gives are ever dropped as orphans', () => {
  it.each([
    ['mariadb', 'shop_blog', true],
    ['mariadb', 'shop_a_blog2', true],
    ['postgresql', 'acme_app', true],
    ['mariadb', 'mysql', false],
    ['mariadb', 'root', false],
    ['mariadb', 'mariadb.sys', false],
    ['mariadb', 'performance_schema', false],
    ['mariadb', 'information_schema', false],
    ['postgresql', 'postgres', false],
    ['postgresql', 'template1', false],
    ['postgresql', 'pg_database_owner', false],
    ['postgresql', 'pg_read_all_data', false],
    ['postgresql', 'noprefix', false],
    ['mariadb', 'Shop_blog', false],
    ['mariadb', 'shop_', false],
  ] as const)('%s %s → %s', (engine, name, expected) => {
    expect(isTenantName(engine, name)).toBe(expected);
  });
});

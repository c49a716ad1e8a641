import { describe, expect, it } from 'vitest';
import {
  WP_SALT_NAMES,
  assertSiteUrl,
  assertTablePrefix,
  phpSingleQuoted,
  renderWpConfig,
  type WpConfigInput,
} from './wordpress.config.js';

const BASE: WpConfigInput = {
  dbName: 'shop_wp',
  dbUser: 'shop_wp',
  dbPassword: 'secret',
  siteUrl: 'https://shop.example.com',
};
const invalid = expect.objectContaining({ code: 'INVALID_INPUT' });

/** defineOf reads `define( 'NAME', <literal> );` back from the rendered text. */
function defineOf(text: string, name: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`define( '${name}', `));
  return line?.slice(`define( '${name}', `.length, -' );'.length);
}

describe('phpSingleQuoted', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['ends with \\', "'ends with \\\\'"],
    ["\\'", "'\\\\\\''"],
    ["p'w\\$x{y}", "'p\\'w\\\\$x{y}'"],
    ['$HOME ${x} "q" `c`', '\'$HOME ${x} "q" `c`\''],
    ['ünï 🔑', "'ünï 🔑'"],
    ['', "''"],
  ])('writes %j as %s', (value, literal) => {
    expect(phpSingleQuoted(value, 'value')).toBe(literal);
  });

  it.each([
    ['a NUL', 'a\0b'],
    ['a newline', 'a\nb'],
    ['a carriage return', 'a\rb'],
    ['a lone surrogate', 'a\uD800b'],
  ])('refuses text with %s', (_what, value) => {
    expect(() => phpSingleQuoted(value, 'database password')).toThrow(invalid);
  });
});

describe('assertSiteUrl', () => {
  it.each([
    ['https://shop.example.com', 'https://shop.example.com'],
    ['http://shop.example.com', 'http://shop.example.com'],
    ['https://shop.example.com/', 'https://shop.example.com'],
    ['https://xn--bcher-kva.example', 'https://xn--bcher-kva.example'],
    ['https://shop.example.com:8443', 'https://shop.example.com:8443'],
    ['http://shop.example.com:8080/', 'http://shop.example.com:8080'],
  ])('accepts %s', (value, expected) => {
    expect(assertSiteUrl(value)).toBe(expected);
  });

  it.each([
    'shop.example.com',
    'ftp://shop.example.com',
    'https://',
    'https://shop.example.com/blog',
    'https://shop.example.com?x=1',
    'https://shop.example.com/#top',
    'https://shop.example.com:0',
    'https://shop.example.com:99999',
    'https://shop.example.com:',
    'https://user@shop.example.com',
    'https://Shop.Example.com',
    "https://shop.example.com'",
    'https://shop example.com',
    'https://shop.example.com.',
    'https://shop.example.com\n',
  ])('refuses %j', (value) => {
    expect(() => assertSiteUrl(value)).toThrow(invalid);
  });
});

describe('assertTablePrefix', () => {
  it.each(['wp_', 'WP2_', 'x'])('accepts %j', (v) => expect(assertTablePrefix(v)).toBe(v));
  it.each(['', 'wp-', "wp'", 'wp_'.repeat(11), 'wp_\n'])('refuses %j', (v) => {
    expect(() => assertTablePrefix(v)).toThrow(invalid);
  });
});

describe('renderWpConfig', () => {
  it('connects through the socket as the given account, in utf8mb4', () => {
    const text = renderWpConfig(BASE);
    expect(text.startsWith('<?php\n')).toBe(true);
    expect(defineOf(text, 'DB_NAME')).toBe("'shop_wp'");
    expect(defineOf(text, 'DB_USER')).toBe("'shop_wp'");
    expect(defineOf(text, 'DB_PASSWORD')).toBe("'secret'");
    expect(defineOf(text, 'DB_HOST')).toBe("'localhost'");
    expect(defineOf(text, 'DB_CHARSET')).toBe("'utf8mb4'");
    expect(text).toContain("\n$table_prefix = 'wp_';\n");
    expect(text.trimEnd().endsWith("require_once ABSPATH . 'wp-settings.php';")).toBe(true);
  });

  it("embeds a password holding ', \\ and $ so that PHP reads it back unchanged", () => {
    const text = renderWpConfig({ ...BASE, dbPassword: "p'a\\ss$word\\" });
    // In a single-quoted PHP literal \\ reads as \ and \' as ': exactly the password again.
    expect(defineOf(text, 'DB_PASSWORD')).toBe("'p\\'a\\\\ss$word\\\\'");
  });

  it('fixes the home and site address to the site URL and recognises HTTPS behind the proxies', () => {
    const text = renderWpConfig({ ...BASE, siteUrl: 'https://shop.example.com/' });
    expect(defineOf(text, 'WP_HOME')).toBe("'https://shop.example.com'");
    expect(defineOf(text, 'WP_SITEURL')).toBe("'https://shop.example.com'");
    expect(text).toContain(
      "if ( ( $_SERVER['HTTP_X_FORWARDED_PROTO'] ?? '' ) === 'https' ) {\n\t$_SERVER['HTTPS'] = 'on';\n}",
    );
  });

  it('takes the host with the port from X-Forwarded-Host only for an edge on another port, and only that exact one', () => {
    expect(renderWpConfig({ ...BASE, siteUrl: 'https://shop.example.com' })).not.toContain('HTTP_X_FORWARDED_HOST');
    const text = renderWpConfig({ ...BASE, siteUrl: 'https://shop.example.com:8443' });
    expect(defineOf(text, 'WP_HOME')).toBe("'https://shop.example.com:8443'");
    expect(text).toContain(
      "if ( ( $_SERVER['HTTP_X_FORWARDED_HOST'] ?? '' ) === 'shop.example.com:8443' ) {\n\t$_SERVER['HTTP_HOST'] = 'shop.example.com:8443';\n}",
    );
  });

  it('writes files directly, without debug output, with WordPress cron on', () => {
    const text = renderWpConfig(BASE);
    expect(defineOf(text, 'FS_METHOD')).toBe("'direct'");
    expect(defineOf(text, 'WP_DEBUG')).toBe('false');
    expect(defineOf(text, 'DISABLE_WP_CRON')).toBe('false');
  });

  it('gives each of the eight keys and salts 64 fresh printable characters', () => {
    const a = renderWpConfig(BASE);
    const b = renderWpConfig(BASE);
    const salts = WP_SALT_NAMES.map((name) => defineOf(a, name));
    expect(salts).toHaveLength(8);
    for (const s of salts) expect(s).toMatch(/^'[A-Za-z0-9_-]{64}'$/);
    expect(new Set(salts).size).toBe(8);
    for (const name of WP_SALT_NAMES) expect(defineOf(b, name)).not.toBe(defineOf(a, name));
  });

  it('takes its randomness from the given source', () => {
    const text = renderWpConfig(BASE, (size) => Buffer.alloc(size, 0xff));
    for (const name of WP_SALT_NAMES) expect(defineOf(text, name)).toBe(`'${'_'.repeat(64)}'`);
  });

  it('uses the given table prefix', () => {
    expect(renderWpConfig({ ...BASE, tablePrefix: 'shop_' })).toContain("\n$table_prefix = 'shop_';\n");
  });

  it.each([
    ['a database name that is not a MariaDB name', { dbName: 'shop-wp' }],
    ["a server's own database", { dbName: 'mysql' }],
    ['a user name with a quote', { dbUser: "shop'" }],
    ['an empty password', { dbPassword: '' }],
    ['a password with a newline', { dbPassword: 'a\nb' }],
    ['a password with NUL', { dbPassword: 'a\0b' }],
    ['a site URL with a path', { siteUrl: 'https://shop.example.com/blog' }],
    ['a bad table prefix', { tablePrefix: 'wp-' }],
  ])('refuses %s', (_what, change) => {
    expect(() => renderWpConfig({ ...BASE, ...change })).toThrow(invalid);
  });
});

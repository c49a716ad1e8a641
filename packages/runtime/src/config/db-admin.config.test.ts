import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertSsoToken,
  buildDbAdminTicket,
  dbAdminNetworkName,
  parseDbAdminSecrets,
  renderDbAdminSecrets,
  renderDbAdminTicket,
  ssoPath,
  ticketExpiry,
  ticketFileName,
  TICKET_FILE_RE,
  type DbAdminTicketInput,
} from './db-admin.config.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const TOKEN = 'Zm9vYmFyYmF6cXV4LXRva2VuLWZvci10ZXN0cy0xMjM'; // 43 base64url characters, like the panel's
const invalid = expect.objectContaining({ code: 'INVALID_INPUT' });
const base: DbAdminTicketInput = { engine: 'mariadb', user: 'shop_user', password: 's3cr3t', ttlSeconds: 60 };

describe('buildDbAdminTicket', () => {
  const accepted: [string, DbAdminTicketInput, object][] = [
    ['a MariaDB user without a database', base, { engine: 'mariadb', user: 'shop_user', expiresAt: NOW_S + 60 }],
    ['a MariaDB user with its database', { ...base, database: 'shop_db' }, { database: 'shop_db' }],
    [
      'a PostgreSQL user with its database',
      { ...base, engine: 'postgresql', database: 'shop' },
      { engine: 'postgresql', database: 'shop' },
    ],
    ['the shortest lifetime', { ...base, ttlSeconds: 10 }, { expiresAt: NOW_S + 10 }],
    ['the longest lifetime', { ...base, ttlSeconds: 600 }, { expiresAt: NOW_S + 600 }],
    [
      'a password with quotes, backslashes, newlines and emoji',
      { ...base, password: `it's "q" \\ \n 🔑` },
      { password: `it's "q" \\ \n 🔑` },
    ],
  ];
  it.each(accepted)('accepts %s', (_name, input, expected) => {
    expect(buildDbAdminTicket(input, NOW)).toMatchObject(expected);
  });

  const refused: [string, DbAdminTicketInput][] = [
    ['an unknown engine', { ...base, engine: 'mysql' as never }],
    ['a user name with a quote', { ...base, user: "x'; DROP USER root; --" }],
    ['an uppercase user name', { ...base, user: 'Shop' }],
    ['the MariaDB superuser', { ...base, user: 'root' }],
    ['the PostgreSQL superuser', { ...base, engine: 'postgresql', user: 'postgres', database: 'shop' }],
    ['a server database', { ...base, database: 'mysql' }],
    ['a database name with a slash', { ...base, database: '../x' }],
    ['a PostgreSQL sign-in without a database', { ...base, engine: 'postgresql' }],
    ['an empty password', { ...base, password: '' }],
    ['a password with NUL', { ...base, password: 'a\0b' }],
    ['a password with a lone surrogate', { ...base, password: 'a\uD800b' }],
    ['a password of 1025 characters', { ...base, password: 'x'.repeat(1025) }],
    ['a lifetime under 10 s', { ...base, ttlSeconds: 9 }],
    ['a lifetime over 600 s', { ...base, ttlSeconds: 601 }],
    ['a fractional lifetime', { ...base, ttlSeconds: 30.5 }],
  ];
  it.each(refused)('refuses %s', (_name, input) => {
    expect(() => buildDbAdminTicket(input, NOW)).toThrow(invalid);
  });

  it('never puts the password into the error', () => {
    try {
      buildDbAdminTicket({ ...base, password: 'hunter2\0' }, NOW);
      expect.unreachable();
    } catch (err) {
      expect(JSON.stringify(err)).not.toContain('hunter2');
      expect(String((err as Error).message)).not.toContain('hunter2');
    }
  });
});

describe('tickets on disk', () => {
  it('names a ticket after the sha256 of its token, never the token itself', () => {
    const name = ticketFileName(TOKEN);
    expect(name).toBe(`${createHash('sha256').update(TOKEN).digest('hex')}.json`);
    expect(name).toMatch(TICKET_FILE_RE);
    expect(name).not.toContain(TOKEN);
    expect(ssoPath(TOKEN)).toBe(`/sso/${TOKEN}`);
  });

  const tokens: [string, string, boolean][] = [
    ['43 base64url characters', TOKEN, true],
    ['32 characters', 'a'.repeat(32), true],
    ['128 characters', 'a'.repeat(128), true],
    ['31 characters', 'a'.repeat(31), false],
    ['129 characters', 'a'.repeat(129), false],
    ['a slash', `${'a'.repeat(40)}/..`, false],
    ['base64 padding', `${'a'.repeat(40)}==`, false],
    ['a dot', `${'a'.repeat(40)}.json`, false],
  ];
  it.each(tokens)('checks the token shape: %s', (_name, token, ok) => {
    if (ok) expect(assertSsoToken(token)).toBe(token);
    else expect(() => ticketFileName(token)).toThrow(invalid);
  });

  it('writes the fields sso.php reads and reads the expiry back', () => {
    const ticket = buildDbAdminTicket({ ...base, database: 'shop_db' }, NOW);
    const text = renderDbAdminTicket(ticket);
    expect(JSON.parse(text)).toEqual({
      engine: 'mariadb',
      user: 'shop_user',
      password: 's3cr3t',
      database: 'shop_db',
      expiresAt: NOW_S + 60,
    });
    expect(ticketExpiry(text)).toBe(NOW_S + 60);
  });

  const expiries: [string, string][] = [
    ['no JSON', 'nope'],
    ['JSON null', 'null'],
    ['no expiresAt', '{"engine":"mariadb"}'],
    ['a text expiresAt', '{"expiresAt":"1700000000"}'],
    ['a fractional expiresAt', '{"expiresAt":1.5}'],
  ];
  it.each(expiries)('reads no expiry from %s', (_name, text) => {
    expect(ticketExpiry(text)).toBeUndefined();
  });
});

describe('secrets and names', () => {
  const hex = 'ab'.repeat(32);
  it('renders and reads back the generated secrets', () => {
    expect(parseDbAdminSecrets(renderDbAdminSecrets({ blowfishSecretHex: hex }))).toEqual({ blowfishSecretHex: hex });
  });

  const broken: [string, string][] = [
    ['no JSON', '{'],
    ['a short key', '{"blowfishSecretHex":"abcd"}'],
    ['uppercase hex', `{"blowfishSecretHex":"${'AB'.repeat(32)}"}`],
    ['no key', '{}'],
  ];
  it.each(broken)('treats %s as no secrets (they are generated anew)', (_name, text) => {
    expect(parseDbAdminSecrets(text)).toBeUndefined();
  });

  it('refuses to render a key of the wrong shape', () => {
    expect(() => renderDbAdminSecrets({ blowfishSecretHex: 'short' })).toThrow(invalid);
  });

  it('names the network after the installation', () => {
    expect(dbAdminNetworkName('3f2a9c0d11be')).toBe('berth-3f2a9c0d11be-dbadmin');
    expect(() => dbAdminNetworkName('bad name')).toThrow(invalid);
  });
});

import { describe, expect, it } from 'vitest';
import {
  assertSqlName,
  databaseTuning,
  parseSqlRows,
  quoteGrantDatabase,
  quoteIdent,
  quoteLiteral,
  renderDatabaseServerConfig,
  sqlClientCommand,
} from './database-server.config.js';
import { expectGolden } from './golden.helper.js';
import type { DatabaseEngine } from '../catalog.js';

const MIB = 1024 * 1024;
const LIMITS = { nanoCpus: 1_000_000_000, memoryBytes: 256 * MIB, pids: 128 };
const ENGINES: DatabaseEngine[] = ['mariadb', 'postgresql'];
const invalid = expect.objectContaining({ code: 'INVALID_INPUT' });

describe('renderDatabaseServerConfig', () => {
  it('renders the MariaDB tuning for 256 MiB and 128 processes (golden)', () => {
    expectGolden('database-server.mariadb.cnf', renderDatabaseServerConfig('mariadb', LIMITS));
  });

  it('renders the PostgreSQL tuning for 256 MiB and 128 processes (golden)', () => {
    expectGolden('database-server.postgresql.conf', renderDatabaseServerConfig('postgresql', LIMITS));
  });

  it('grows the cache with memory and keeps connections under the pids limit', () => {
    expect(databaseTuning('mariadb', { ...LIMITS, memoryBytes: 1024 * MIB, pids: 2048 })).toMatchObject({
      cacheMiB: 256,
      maxConnections: 256,
    });
    expect(databaseTuning('postgresql', { ...LIMITS, memoryBytes: 1024 * MIB, pids: 2048 })).toMatchObject({
      cacheMiB: 128,
      maxConnections: 128,
      maintenanceMiB: 64,
    });
    // 128 processes: MariaDB keeps 32 threads for itself, PostgreSQL 16 processes.
    expect(databaseTuning('mariadb', { ...LIMITS, memoryBytes: 4096 * MIB }).maxConnections).toBe(96);
    expect(databaseTuning('postgresql', { ...LIMITS, memoryBytes: 4096 * MIB }).maxConnections).toBe(112);
  });

  it('refuses limits too small for a working server, and bad numbers', () => {
    expect(() => databaseTuning('mariadb', { ...LIMITS, memoryBytes: 96 * MIB })).toThrow(/at least 128 MiB/);
    expect(() => databaseTuning('postgresql', { ...LIMITS, memoryBytes: 32 * MIB })).toThrow(/at least 64 MiB/);
    expect(() => databaseTuning('postgresql', { ...LIMITS, pids: 20 })).toThrow(/pids limit of at least 26/);
    expect(() => databaseTuning('mariadb', { ...LIMITS, memoryBytes: 1.5 })).toThrow(invalid);
    expect(() => renderDatabaseServerConfig('mysql' as DatabaseEngine, LIMITS)).toThrow(/Invalid database engine/);
  });
});

describe('quoteIdent / assertSqlName', () => {
  it('quotes strictly shaped names for each engine', () => {
    expect(quoteIdent('mariadb', 'shop_db')).toBe('`shop_db`');
    expect(quoteIdent('postgresql', 'shop_db')).toBe('"shop_db"');
    expect(quoteIdent('postgresql', `a${'b'.repeat(62)}`)).toHaveLength(65);
  });

  it.each([
    ['', 'empty'],
    ['Shop', 'uppercase'],
    ['1shop', 'digit first'],
    ['_shop', 'underscore first'],
    ['shop-db', 'hyphen'],
    ['shop db', 'space'],
    ['shop`; DROP DATABASE mysql; --', 'backtick'],
    ['shop"; DROP ROLE postgres; --', 'double quote'],
    ["shop'", 'single quote'],
    ['shop\\', 'backslash'],
    ['shop%', 'percent (a MariaDB grant wildcard)'],
    ['shop\0', 'NUL'],
    ['shöp', 'non-ASCII'],
    ['a'.repeat(64), '64 characters (PostgreSQL truncates)'],
  ])('refuses %j (%s) on both engines', (name) => {
    for (const engine of ENGINES) expect(() => quoteIdent(engine, name)).toThrow(invalid);
  });

  it('says NUL plainly', () => {
    expect(() => assertSqlName('mariadb', 'a\0b')).toThrow(/contains NUL/);
  });

  it('refuses the servers’ own names', () => {
    for (const name of ['mysql', 'information_schema', 'performance_schema', 'sys', 'root'])
      expect(() => quoteIdent('mariadb', name)).toThrow(/keeps that name/);
    for (const name of ['postgres', 'template0', 'template1', 'public', 'pg_signal_backend', 'pg_x', 'session_user'])
      expect(() => quoteIdent('postgresql', name)).toThrow(/keeps that name/);
    // Reserved on one engine only where the other has no such object.
    expect(quoteIdent('postgresql', 'mysql')).toBe('"mysql"');
    expect(quoteIdent('mariadb', 'postgres')).toBe('`postgres`');
  });

  it('refuses what is not a string even when the types are bypassed', () => {
    expect(() => quoteIdent('mariadb', 42 as unknown as string)).toThrow(invalid);
    expect(() => quoteIdent('oracle' as DatabaseEngine, 'shop')).toThrow(invalid);
  });
});

describe('quoteGrantDatabase', () => {
  it('escapes MariaDB’s grant wildcard `_`, so a grant on shop_db does not also cover shopxdb', () => {
    expect(quoteGrantDatabase('mariadb', 'shop_db_2')).toBe('`shop\\_db\\_2`');
    expect(quoteGrantDatabase('mariadb', 'shop')).toBe('`shop`');
    expect(quoteGrantDatabase('postgresql', 'shop_db')).toBe('"shop_db"');
    expect(() => quoteGrantDatabase('mariadb', 'mysql')).toThrow(invalid);
  });
});

describe('quoteLiteral', () => {
  it('doubles quotes and escapes backslashes for MariaDB', () => {
    expect(quoteLiteral('mariadb', "it's")).toBe("'it''s'");
    expect(quoteLiteral('mariadb', 'a\\b')).toBe("'a\\\\b'");
    expect(quoteLiteral('mariadb', "\\'; DROP USER root; -- ")).toBe("'\\\\''; DROP USER root; -- '");
    expect(quoteLiteral('mariadb', '')).toBe("''");
  });

  it('doubles quotes for PostgreSQL and uses E-strings only where a backslash occurs', () => {
    expect(quoteLiteral('postgresql', "it's")).toBe("'it''s'");
    expect(quoteLiteral('postgresql', 'a\\b')).toBe("E'a\\\\b'");
    expect(quoteLiteral('postgresql', "\\'; DROP ROLE postgres; --")).toBe("E'\\\\''; DROP ROLE postgres; --'");
    expect(quoteLiteral('postgresql', 'pässwörd 🔑\n$$')).toBe("'pässwörd 🔑\n$$'");
  });

  it('never lets a value end the literal early (each quote in the value is doubled, whatever precedes it)', () => {
    const nasty = ["'", "\\'", "\\\\'", "''", '\\', "a'b\\'c\\\\'d", "'\\"];
    for (const engine of ENGINES) {
      for (const value of nasty) {
        const lit = quoteLiteral(engine, value);
        const body = lit.replace(/^E?'/, '').slice(0, -1);
        // Reading the body as the server does (backslash escapes a character, '' is one quote) must consume
        // all of it without meeting a lone quote, and give the value back.
        let read = '';
        for (let i = 0; i < body.length; i++) {
          if (body[i] === '\\') read += body[++i];
          else if (body[i] === "'") read += body[++i] === "'" ? "'" : fail(lit);
          else read += body[i];
        }
        expect(read).toBe(value);
      }
    }
  });

  it('refuses NUL and unpaired surrogates', () => {
    for (const engine of ENGINES) {
      expect(() => quoteLiteral(engine, 'a\0b')).toThrow(/contains NUL/);
      expect(() => quoteLiteral(engine, 'a\uD800b')).toThrow(/surrogate/);
      expect(() => quoteLiteral(engine, 'a\uDC00')).toThrow(/surrogate/);
      expect(quoteLiteral(engine, '\uD83D\uDD11')).toBe("'🔑'");
    }
  });
});

function fail(lit: string): never {
  throw new Error(`literal ${lit} ends early`);
}

describe('sqlClientCommand', () => {
  const key = 'k'.repeat(32);

  it('runs MariaDB’s client sandboxed, without option files, as root over the socket', () => {
    const c = sqlClientCommand('mariadb', { database: 'shop', restrictKey: key });
    expect(c.cmd).toEqual([
      'mariadb',
      '--no-defaults',
      '--sandbox',
      '--protocol=socket',
      '--socket=/run/mysqld/mysqld.sock',
      '--user=root',
      '--default-character-set=utf8mb4',
      '--batch',
      '--skip-column-names',
      '--database=shop',
    ]);
    expect(c.preamble).toBe('');
  });

  it('runs psql as postgres over the socket, restricted by the key before any SQL', () => {
    const c = sqlClientCommand('postgresql', { restrictKey: key });
    expect(c.cmd).toContain('--dbname=postgres');
    expect(c.cmd).toContain('--set=ON_ERROR_STOP=1');
    expect(c.cmd).toContain('--host=/run/postgresql');
    expect(c.preamble).toBe(`\\restrict ${key}\n`);
    expect(c.env).toContain('PGCLIENTENCODING=UTF8');
  });

  it('refuses a database psql would read as a connection string, and a weak key', () => {
    expect(() => sqlClientCommand('postgresql', { database: 'host=evil', restrictKey: key })).toThrow(invalid);
    expect(() => sqlClientCommand('postgresql', { database: 'postgres', restrictKey: key })).toThrow(invalid);
    expect(() => sqlClientCommand('postgresql', { restrictKey: 'short' })).toThrow(invalid);
    expect(() => sqlClientCommand('postgresql', { restrictKey: `${key}\n\\unrestrict` })).toThrow(invalid);
  });
});

describe('parseSqlRows', () => {
  it('reads MariaDB batch output with its escapes', () => {
    expect(parseSqlRows('mariadb', 'a\\tb\tx\\ny\tNULL\n1\t\\\\\t\\0\n')).toEqual([
      ['a\tb', 'x\ny', 'NULL'],
      ['1', '\\', '\0'],
    ]);
    expect(parseSqlRows('mariadb', '')).toEqual([]);
  });

  it('reads psql CSV with quoted commas, quotes and newlines', () => {
    expect(parseSqlRows('postgresql', ',,"a,b","q""x","l1\nl2"\n2,,,,\n')).toEqual([
      ['', '', 'a,b', 'q"x', 'l1\nl2'],
      ['2', '', '', '', ''],
    ]);
    expect(parseSqlRows('postgresql', '')).toEqual([]);
    expect(() => parseSqlRows('postgresql', '"open\n')).toThrow(/unterminated/);
  });
});

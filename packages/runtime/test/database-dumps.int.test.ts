import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import {
  LABELS,
  createDatabase,
  createDatabaseUser,
  createDockerDriver,
  databaseContainerName,
  ensureDatabaseServer,
  execInContainer,
  execSql,
  grantDatabase as grant,
  type DatabaseEngine,
  type DockerDriver,
} from '../src/index.js';
import { RuntimeError } from '../src/errors.js';
import { dumpDatabase, restoreDatabase } from '../src/operations/database-dumps.js';
import { requireImages } from './helpers.js';

// Dumps and restores of a tenant database on the installation's real MariaDB and PostgreSQL servers: a database
// and a user made by tenant-databases.ts, a row (with a view and a trigger, which need the client's DELIMITER
// and routines in the dump), dump, destroy, restore, read back as the tenant's user. PostgreSQL also shows the
// restored table belongs to the database's role, and a dump not made by pg_dump is refused before anything
// changes. afterAll removes this installation's containers and the data dir.

const MIB = 1024 * 1024;
const LIMITS = { nanoCpus: 1_000_000_000, memoryBytes: 256 * MIB, pids: 128 };
const ENGINES: DatabaseEngine[] = ['mariadb', 'postgresql'];
const DB = 'acme_shop';
const USER = 'acme_web';
const PASSWORD = 'correct horse battery staple';
const VALUE = "it's ünïcode\nand a \\ backslash";

let ctx: DockerDriver;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'berth-dumps-'));
  ctx = createDockerDriver({ dataDir, docker: new Docker(), profile: 'local' });
  await requireImages(
    ctx,
    ENGINES.map((engine) => ({ role: 'database', engine })),
  );
});

afterAll(async () => {
  if (!ctx) return;
  const mine = await ctx.docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.managed}=${ctx.instance}`] },
  });
  // One at a time (Docker 20.10 may deadlock tearing several down at once).
  for (const c of mine) await ctx.docker.getContainer(c.Id).remove({ force: true, v: true });
  await rm(dataDir, { recursive: true, force: true });
});

/** asUser runs SQL as the tenant's user through the socket, as its PHP would (password on argv: a test only). */
async function asUser(engine: DatabaseEngine, sql: string): Promise<{ exitCode: number; out: string }> {
  const cmd =
    engine === 'mariadb'
      ? [
          'mariadb',
          '--no-defaults',
          '--socket=/run/mysqld/mysqld.sock',
          `--user=${USER}`,
          `--password=${PASSWORD}`,
        ].concat([`--database=${DB}`, '--batch', '--skip-column-names', '--raw', '-e', sql])
      : ['env', `PGPASSWORD=${PASSWORD}`, 'psql', '--no-psqlrc', '--no-password', '--quiet', '--tuples-only'].concat([
          '--no-align',
          '--host=/run/postgresql',
          `--username=${USER}`,
          `--dbname=${DB}`,
          '--command',
          sql,
        ]);
  const res = await execInContainer(ctx, databaseContainerName(ctx, engine), cmd, { timeoutMs: 30_000 });
  return { exitCode: res.exitCode, out: (res.stdout + res.stderr).trim() };
}

const SETUP: Record<DatabaseEngine, string> = {
  mariadb: `CREATE TABLE notes (id INT PRIMARY KEY, body TEXT, bin VARBINARY(4), n INT DEFAULT 0);
CREATE VIEW note_bodies AS SELECT body FROM notes;
CREATE TRIGGER notes_bi BEFORE INSERT ON notes FOR EACH ROW SET NEW.n = NEW.id * 10;
INSERT INTO notes (id, body, bin) VALUES (1, 'VALUE', 0x00ff10ee);`,
  postgresql: `CREATE TABLE notes (id INT PRIMARY KEY, body TEXT, n INT DEFAULT 0);
CREATE VIEW note_bodies AS SELECT body FROM notes;
CREATE FUNCTION notes_n() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.n := NEW.id * 10; RETURN NEW; END $$;
CREATE TRIGGER notes_bi BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION notes_n();
INSERT INTO notes (id, body) VALUES (1, 'VALUE');`,
};

/** setupSql is SETUP with VALUE as the engine's literal (the test's own constant, quoted by hand). */
function setupSql(engine: DatabaseEngine): string {
  const lit =
    engine === 'mariadb'
      ? `'${VALUE.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`
      : `E'${VALUE.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  return SETUP[engine].replace("'VALUE'", lit);
}

describe.each(ENGINES)('%s dumps', (engine) => {
  const dump = () => join(dataDir, `${engine}.sql`);

  beforeAll(async () => {
    await ensureDatabaseServer(ctx, { engine, limits: LIMITS });
    await createDatabase(ctx, engine, DB);
    await createDatabaseUser(ctx, engine, { name: USER, password: PASSWORD, maxConnections: 5, locked: false });
    await grant(ctx, engine, USER, DB);
    const made = await asUser(engine, setupSql(engine));
    expect(made).toMatchObject({ exitCode: 0 });
  });

  it('dumps a database into a private file, atomically', async () => {
    const { bytes } = await dumpDatabase(ctx, engine, DB, dump());
    const st = await stat(dump());
    expect(st.size).toBe(bytes);
    expect(st.mode & 0o777).toBe(0o600);
    const text = await readFile(dump(), 'utf8');
    expect(text).toContain('notes');
    expect(text).not.toMatch(/CREATE DATABASE|^USE /m);
    if (engine === 'postgresql') expect(text).not.toMatch(/OWNER TO|GRANT /);
    // Nothing but the dump in the folder: the temp file was renamed.
    expect((await readdir(dataDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a failing dump says why and leaves no file', async () => {
    const err = await dumpDatabase(ctx, engine, 'acme_missing', join(dataDir, 'missing.sql')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).code).toBe('CONTAINER_FAILED');
    expect(JSON.stringify((err as RuntimeError).details)).toMatch(/acme_missing/);
    expect((await readdir(dataDir)).filter((n) => n.includes('missing'))).toEqual([]);
  });

  it('restores the dump over a changed database; the tenant user reads it back', async () => {
    expect((await asUser(engine, 'DROP VIEW note_bodies; DROP TABLE notes;')).exitCode).toBe(0);
    expect((await asUser(engine, 'CREATE TABLE junk (x INT);')).exitCode).toBe(0);
    await restoreDatabase(ctx, engine, DB, dump());

    const row = await asUser(
      engine,
      engine === 'mariadb'
        ? 'SELECT body, HEX(bin), n FROM notes WHERE id = 1;'
        : "SELECT body || '|' || n FROM notes WHERE id = 1;",
    );
    expect(row.exitCode).toBe(0);
    if (engine === 'mariadb') expect(row.out).toBe(`${VALUE}\t00FF10EE\t10`);
    else expect(row.out).toBe(`${VALUE}|10`);
    // The view, and the trigger on a new row, came back; the table made after the dump is gone.
    expect((await asUser(engine, 'SELECT count(*) FROM note_bodies;')).out).toBe('1');
    expect((await asUser(engine, "INSERT INTO notes (id, body) VALUES (2, 'two');")).exitCode).toBe(0);
    expect((await asUser(engine, 'SELECT n FROM notes WHERE id = 2;')).out).toBe('20');
    expect((await asUser(engine, 'SELECT * FROM junk;')).exitCode).not.toBe(0);
    if (engine === 'postgresql') {
      const owners = await execSql(
        ctx,
        engine,
        "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'notes' UNION ALL SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public';",
        { database: DB },
      );
      expect(owners.rows).toEqual([[DB], [DB]]);
    }
  });

  it('restores into a database that was dropped and made again empty', async () => {
    await execSql(ctx, engine, engine === 'mariadb' ? `DROP DATABASE ${DB};` : `DROP DATABASE ${DB} WITH (FORCE);`);
    await createDatabase(ctx, engine, DB);
    expect((await asUser(engine, 'SELECT count(*) FROM notes;')).exitCode).not.toBe(0);
    await restoreDatabase(ctx, engine, DB, dump());
    expect((await asUser(engine, 'SELECT count(*) FROM notes;')).out).toBe('1');
  });

  it('refuses a missing database and, for PostgreSQL, a file pg_dump did not write', async () => {
    const missing = await restoreDatabase(ctx, engine, 'acme_missing', dump()).catch((e: unknown) => e);
    expect((missing as RuntimeError).code).toBe('INVALID_INPUT');
    expect((missing as RuntimeError).message).toMatch(/does not exist/);
    if (engine === 'postgresql') {
      const forged = join(dataDir, 'forged.sql');
      await writeFile(forged, 'DROP TABLE notes;\n\\! id\n', { mode: 0o600 });
      const err = await restoreDatabase(ctx, engine, DB, forged).catch((e: unknown) => e);
      expect((err as RuntimeError).message).toMatch(/not a plain dump/);
      expect((await asUser(engine, 'SELECT count(*) FROM notes;')).out).toBe('1');
    }
  });
});

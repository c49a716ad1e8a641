import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import {
  DATABASES_OWNER,
  LABELS,
  createDockerDriver,
  databaseConfigDir,
  databaseContainerName,
  databaseDataDir,
  ensureDatabaseServer,
  execInContainer,
  execSql,
  quoteGrantDatabase,
  quoteIdent,
  quoteLiteral,
  removeDatabaseServer,
  resolveImage,
  waitForDatabaseServer,
  type DatabaseEngine,
  type DatabaseServer,
  type DockerDriver,
} from '../src/index.js';
import { requireImages } from './helpers.js';

// Each engine's server on the real engine with a throwaway data dir (so its own installation id): it starts
// hardened and answers on its socket only, keeps data across a restart, a re-tuning and a new container, lets
// a client container that binds the socket dir in as a created user (to its own database only), and never
// lets SQL reach a shell. afterAll removes every container of this installation and the data dir.

const MIB = 1024 * 1024;
const LIMITS = { nanoCpus: 1_000_000_000, memoryBytes: 256 * MIB, pids: 128 };
/** A tenant-like uid for the client container: neither root nor the server's own uid. */
const CLIENT_USER = '200123:200123';
const ENGINES: DatabaseEngine[] = ['mariadb', 'postgresql'];
/** A value with every character that matters to a literal: quotes, backslashes, a newline, non-ASCII. */
const NASTY = "it's \\'; DROP TABLE notes; -- \\\\ \" ` $$ \n ünï 🔑";

let ctx: DockerDriver;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'berth-db-'));
  ctx = createDockerDriver({ dataDir, docker: new Docker(), profile: 'local' });
  await requireImages(
    ctx,
    ENGINES.map((engine) => ({ role: 'database', engine })),
  );
});

afterAll(async () => {
  if (!ctx) return;
  // Everything this test created carries its installation's label: servers, stray second servers, clients.
  const mine = await ctx.docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.managed}=${ctx.instance}`] },
  });
  for (const c of mine) await ctx.docker.getContainer(c.Id).remove({ force: true, v: true });
  await rm(dataDir, { recursive: true, force: true });
});

async function inspect(engine: DatabaseEngine): Promise<Docker.ContainerInspectInfo> {
  return ctx.docker.getContainer(databaseContainerName(ctx, engine)).inspect();
}

/** one runs a single-value query as the superuser. */
async function one(engine: DatabaseEngine, sql: string, database?: string): Promise<string | undefined> {
  const { rows } = await execSql(ctx, engine, sql, database ? { database } : {});
  return rows[0]?.[0];
}

/** runContainer starts a container of this installation (so afterAll removes it) and returns it. */
async function runContainer(opts: Docker.ContainerCreateOptions): Promise<Docker.Container> {
  const c = await ctx.docker.createContainer({
    ...opts,
    Labels: { [LABELS.managed]: ctx.instance, [LABELS.tenant]: 'db-test' },
  });
  await c.start();
  return c;
}

/**
 * The statements that give each user a database of its own. MariaDB: users and grants on databases whose
 * names differ only where `_` would be a grant wildcard (alice_db vs bob's alicexdb). PostgreSQL: a database
 * named like its owner role (pg_hba's `samerole`), CONNECT revoked from PUBLIC on top.
 */
function tenantSql(engine: DatabaseEngine, user: string, db: string, password: string): string {
  const u = quoteIdent(engine, user);
  const d = quoteIdent(engine, db);
  const pw = quoteLiteral(engine, password);
  if (engine === 'mariadb') {
    return `CREATE DATABASE ${d};
CREATE USER ${u}@'localhost' IDENTIFIED BY ${pw};
GRANT ALL PRIVILEGES ON ${quoteGrantDatabase(engine, db)}.* TO ${u}@'localhost';`;
  }
  return `CREATE ROLE ${u} LOGIN PASSWORD ${pw};
CREATE DATABASE ${d} OWNER ${u};
REVOKE ALL ON DATABASE ${d} FROM PUBLIC;`;
}

/**
 * clientCommand is the engine's own client, run in the client container as a tenant would, through the socket
 * (passwords on a command line only because this is a test).
 */
function clientCommand(engine: DatabaseEngine, user: string, password: string, db: string, sql: string): string[] {
  return engine === 'mariadb'
    ? [
        'mariadb',
        '--no-defaults',
        '--socket=/run/mysqld/mysqld.sock',
        `--user=${user}`,
        `--password=${password}`,
        `--database=${db}`,
        '--batch',
        '--skip-column-names',
        '-e',
        sql,
      ]
    : [
        // `env` (no shell) hands psql the password, which may hold spaces and quotes.
        'env',
        `PGPASSWORD=${password}`,
        'psql',
        '--no-psqlrc',
        '--no-password',
        '--quiet',
        '--tuples-only',
        '--no-align',
        '--host=/run/postgresql',
        `--username=${user}`,
        `--dbname=${db}`,
        '--command',
        sql,
      ];
}

describe.each(ENGINES)('the %s server', (engine) => {
  let server: DatabaseServer;
  const users =
    engine === 'mariadb'
      ? { alice: { db: 'alice_db', pw: "al'ice \\pw" }, bob: { db: 'alicexdb', pw: 'b0b-pw' } }
      : { alice: { db: 'alice', pw: "al'ice \\pw" }, bob: { db: 'bob', pw: 'b0b-pw' } };

  beforeAll(async () => {
    server = await ensureDatabaseServer(ctx, { engine, limits: LIMITS });
  });

  it('starts hardened, answers through its socket, and a second ensure changes nothing', async () => {
    expect(server.action).toBe('created');
    const info = await inspect(engine);
    expect(info.Config.Labels).toMatchObject({
      [LABELS.managed]: ctx.instance,
      [LABELS.tenant]: DATABASES_OWNER,
      [LABELS.role]: 'database',
      [LABELS.component]: engine,
    });
    expect(info.Config.User).toBe(engine === 'mariadb' ? '1991:1991' : '1992:1992');
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual(['none']);
    expect(info.HostConfig.PortBindings ?? {}).toEqual({});
    expect(info.NetworkSettings.Ports ?? {}).toEqual({});
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.CapAdd ?? []).toEqual([]);
    expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
    expect(info.HostConfig.Memory).toBe(LIMITS.memoryBytes);
    expect(info.HostConfig.PidsLimit).toBe(LIMITS.pids);
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');

    const version = await one(engine, engine === 'mariadb' ? 'SELECT VERSION()' : 'SHOW server_version');
    expect(version).toMatch(engine === 'mariadb' ? /^10\.11\./ : /^15\./);
    // The tuning rendered from the limits is what the server runs with.
    expect(await one(engine, engine === 'mariadb' ? 'SELECT @@max_connections' : 'SHOW max_connections')).toBe(
      engine === 'mariadb' ? '64' : '32',
    );
    expect((await stat(databaseDataDir(ctx.dataDir, engine))).mode & 0o777).toBe(0o700);

    const again = await ensureDatabaseServer(ctx, { engine, limits: LIMITS });
    expect(again).toMatchObject({ id: server.id, action: 'unchanged' });
  });

  it('listens on no TCP port and has no network interface but loopback', async () => {
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6', '/proc/net/udp', '/proc/net/udp6']) {
      const r = await execInContainer(ctx, server.id, ['cat', file]);
      expect(r.exitCode).toBe(0);
      // Only the header line: no socket at all, let alone a listening one.
      expect(r.stdout.trim().split('\n'), file).toHaveLength(1);
    }
    const dev = await execInContainer(ctx, server.id, ['cat', '/proc/net/dev']);
    const interfaces = dev.stdout
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0]?.trim())
      .filter(Boolean);
    expect(interfaces).toEqual(['lo']);
    expect(await one(engine, engine === 'mariadb' ? 'SELECT @@skip_networking' : 'SHOW listen_addresses')).toBe(
      engine === 'mariadb' ? '1' : '',
    );
  });

  it('keeps a written row across a restart of its container, with every character of the value intact', async () => {
    const db = quoteIdent(engine, 'probe');
    await execSql(ctx, engine, `CREATE DATABASE ${db}`);
    await execSql(
      ctx,
      engine,
      `CREATE TABLE notes (id INT PRIMARY KEY, body TEXT NOT NULL);
INSERT INTO notes (id, body) VALUES (1, ${quoteLiteral(engine, NASTY)});`,
      { database: 'probe' },
    );
    await ctx.docker.getContainer(server.id).restart({ t: 30 });
    await waitForDatabaseServer(ctx, engine);
    const { rows } = await execSql(ctx, engine, 'SELECT id, body FROM notes', { database: 'probe' });
    expect(rows).toEqual([['1', NASTY]]);
    expect((await inspect(engine)).Id).toBe(server.id);
  });

  it('refuses a second server on the same data dir while the first one runs', async () => {
    const info = await inspect(engine);
    const second = await runContainer({
      Image: resolveImage(ctx.profile, { role: 'database', engine }).image,
      User: info.Config.User,
      HostConfig: { NetworkMode: 'none', Binds: info.HostConfig.Binds ?? [], CapDrop: ['ALL'] },
    });
    const exit = (await second.wait()) as { StatusCode: number };
    expect(exit.StatusCode).not.toBe(0);
    const logs = (await second.logs({ stdout: true, stderr: true })).toString('utf8');
    expect(logs).toMatch(/another server holds/);
    expect(await one(engine, 'SELECT body FROM notes', 'probe')).toBe(NASTY);
  });

  it('lets a client container that binds the socket dir in as a created user, to its own database only', async () => {
    for (const [user, { db, pw }] of Object.entries(users)) await execSql(ctx, engine, tenantSql(engine, user, db, pw));
    const client = await runContainer({
      Image: resolveImage(ctx.profile, { role: 'database', engine }).image,
      Entrypoint: ['sleep', 'infinity'],
      User: CLIENT_USER,
      HostConfig: {
        NetworkMode: 'none',
        Binds: [`${server.socketDir}:${server.socketMountPath}:ro`],
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges:true'],
      },
    });
    const run = (user: string, password: string, db: string, sql: string) =>
      execInContainer(ctx, client.id, clientCommand(engine, user, password, db, sql));

    const { alice, bob } = users;
    const write = await run(
      'alice',
      alice.pw,
      alice.db,
      "CREATE TABLE mine (v TEXT); INSERT INTO mine VALUES ('hello'); SELECT v FROM mine;",
    );
    expect(write.stderr).toBe('');
    expect(write.stdout.trim()).toBe('hello');
    expect((await run('bob', bob.pw, bob.db, 'CREATE TABLE secret (v TEXT)')).exitCode).toBe(0);

    // Alice cannot reach Bob's database (with MariaDB, not even though its name matches `alice_db` as a pattern).
    const across = await run('alice', alice.pw, bob.db, 'SELECT 1');
    expect(across.exitCode).not.toBe(0);
    expect(across.stderr).toMatch(engine === 'mariadb' ? /Access denied/ : /no pg_hba\.conf entry/);
    expect((await run('bob', bob.pw, alice.db, 'SELECT 1')).exitCode).not.toBe(0);
    if (engine === 'mariadb') {
      // MariaDB lists only the databases a user has privileges on. (PostgreSQL's catalog shows every database's
      // name to every role; connecting is what pg_hba refuses.)
      const seen = await run('alice', alice.pw, alice.db, 'SHOW DATABASES');
      expect(seen.stdout.trim().split('\n').sort()).toEqual(['alice_db', 'information_schema']);
    }
    // A wrong password, and the admin from a tenant's uid, are refused.
    expect((await run('alice', 'wrong', alice.db, 'SELECT 1')).exitCode).not.toBe(0);
    const admin =
      engine === 'mariadb'
        ? await execInContainer(ctx, client.id, [
            'mariadb',
            '--no-defaults',
            '--socket=/run/mysqld/mysqld.sock',
            '--user=root',
            '-e',
            'SELECT 1',
          ])
        : await execInContainer(ctx, client.id, [
            'psql',
            '--no-psqlrc',
            '--no-password',
            'host=/run/postgresql dbname=postgres user=postgres',
            '-c',
            'SELECT 1',
          ]);
    expect(admin.exitCode).not.toBe(0);
    expect(admin.stderr).toMatch(engine === 'mariadb' ? /Access denied for user 'root'/ : /Peer authentication failed/);
  });

  it('never lets the SQL reach a shell: client commands are refused and nothing runs', async () => {
    const marker = '/tmp/berth-shell-ran';
    for (const smuggled of [`SELECT 1;\n\\! touch ${marker}\n`, `SELECT 1;\nsystem touch ${marker}\n`]) {
      await expect(execSql(ctx, engine, smuggled)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect((await execInContainer(ctx, server.id, ['test', '-e', marker])).exitCode).not.toBe(0);
    await expect(execSql(ctx, engine, 'SELEC 1')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(() => quoteIdent(engine, 'x`; DROP DATABASE probe; --')).toThrow();
  });

  it('replaces the server for a new tuning, one server at a time, and keeps the data', async () => {
    const bigger = { ...LIMITS, memoryBytes: 384 * MIB };
    const replaced = await ensureDatabaseServer(ctx, { engine, limits: bigger });
    expect(replaced.action).toBe('replaced');
    expect(replaced.id).not.toBe(server.id);
    expect(await one(engine, engine === 'mariadb' ? 'SELECT @@max_connections' : 'SHOW max_connections')).toBe(
      engine === 'mariadb' ? '96' : '48',
    );
    expect(await one(engine, 'SELECT body FROM notes', 'probe')).toBe(NASTY);
    // Only the running version of the tuning is kept.
    expect(await readdir(databaseConfigDir(ctx.dataDir, engine))).toHaveLength(1);
    server = replaced;
  });

  it('is removed with its container only; a new server finds the data', async () => {
    expect(await removeDatabaseServer(ctx, engine)).toBe(1);
    const left = await ctx.docker.listContainers({
      all: true,
      filters: {
        label: [
          `${LABELS.managed}=${ctx.instance}`,
          `${LABELS.tenant}=${DATABASES_OWNER}`,
          `${LABELS.component}=${engine}`,
        ],
      },
    });
    expect(left).toEqual([]);
    await expect(execSql(ctx, engine, 'SELECT 1')).rejects.toMatchObject({ code: 'CONTAINER_FAILED' });
    expect(await removeDatabaseServer(ctx, engine)).toBe(0);

    const back = await ensureDatabaseServer(ctx, { engine, limits: LIMITS });
    expect(back.action).toBe('created');
    expect(await one(engine, 'SELECT body FROM notes', 'probe')).toBe(NASTY);
    await removeDatabaseServer(ctx, engine, { deleteData: true });
    await expect(stat(databaseDataDir(ctx.dataDir, engine))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import {
  DATABASES_OWNER,
  LABELS,
  buildDbAdminTicket,
  createDbAdminTicket,
  createDockerDriver,
  dbAdminContainerName,
  dbAdminNetworkName,
  dbAdminSsoDir,
  ensureDatabaseServer,
  ensureDbAdmin,
  execInContainer,
  execSql,
  quoteGrantDatabase,
  quoteIdent,
  quoteLiteral,
  removeDbAdmin,
  renderDbAdminTicket,
  sweepDbAdminTickets,
  ticketFileName,
  type DatabaseEngine,
  type DbAdminServer,
  type DockerDriver,
} from '../src/index.js';
import { freePort, requireImages } from './helpers.js';

// The database admin tools on the real engine, in front of both real database servers with a throwaway data dir
// (so their own installation id): two tenants each get a database and a user on both engines; a one-time link
// signs a browser in to phpMyAdmin or Adminer as tenant A only, once; without a link both tools show their own
// login, and Adminer's cannot be pointed at another server. afterAll removes every container and network of this
// installation and the data dir.

const MIB = 1024 * 1024;
const DB_LIMITS = { nanoCpus: 1_000_000_000, memoryBytes: 256 * MIB, pids: 128 };
const USED = 'This sign-in link was already used or has expired. Open phpMyAdmin again from the panel.';
const ONLY_LOCAL = "Adminer here opens only this installation's PostgreSQL server";

/** Two tenants per engine; MariaDB database names that differ only where `_` would be a grant wildcard. */
const TENANTS = {
  mariadb: {
    a: { user: 'alpha_user', db: 'alpha_db', table: 'alpha_notes', password: `al'pha "pw" \\ 🔑` },
    b: { user: 'bravo_user', db: 'alphaxdb', table: 'bravo_secret', password: 'bravo-pw-2' },
  },
  postgresql: {
    a: { user: 'alpha_user', db: 'alpha', table: 'alpha_notes', password: `al'pha "pw" \\ 🔑` },
    b: { user: 'bravo_user', db: 'bravo', table: 'bravo_secret', password: 'bravo-pw-2' },
  },
} as const;

let ctx: DockerDriver;
let dataDir: string;
let port: number;
let admin: DbAdminServer;

/** tenantSql gives one tenant its database, user and a table (created by the superuser, owned by the tenant). */
function tenantSql(engine: DatabaseEngine, t: { user: string; db: string; password: string }): string {
  const u = quoteIdent(engine, t.user);
  const d = quoteIdent(engine, t.db);
  const pw = quoteLiteral(engine, t.password);
  if (engine === 'mariadb') {
    return `CREATE DATABASE ${d};
CREATE USER ${u}@'localhost' IDENTIFIED BY ${pw};
GRANT ALL PRIVILEGES ON ${quoteGrantDatabase(engine, t.db)}.* TO ${u}@'localhost';`;
  }
  // A NOLOGIN group role named like the database (pg_hba's samerole), CONNECT only for it, the user a member.
  return `CREATE ROLE ${d} NOLOGIN;
CREATE DATABASE ${d} OWNER ${d};
REVOKE CONNECT ON DATABASE ${d} FROM PUBLIC;
GRANT CONNECT ON DATABASE ${d} TO ${d};
CREATE ROLE ${u} LOGIN PASSWORD ${pw} IN ROLE ${d};`;
}

function tableSql(engine: DatabaseEngine, t: { db: string; table: string }): string {
  const table = quoteIdent(engine, t.table);
  return engine === 'mariadb'
    ? `CREATE TABLE ${table} (id INT PRIMARY KEY)`
    : `CREATE TABLE ${table} (id INT PRIMARY KEY); ALTER TABLE ${table} OWNER TO ${quoteIdent(engine, t.db)};`;
}

/**
 * Browser is a minimal browser over Node's fetch (undici): a cookie jar by hand (name, value, path; expiry
 * deletes), manual redirects, and the last response's headers.
 */
class Browser {
  private jar = new Map<string, { name: string; value: string; path: string }>();

  private cookieHeader(path: string): string {
    return [...this.jar.values()]
      .filter((c) => path.startsWith(c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(path: string, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let cookiePath = path.slice(0, path.lastIndexOf('/') + 1) || '/';
      let expired = value === '' || value === 'deleted';
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=');
        if (k.toLowerCase() === 'path') cookiePath = v;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      const key = `${name}\0${cookiePath}`;
      if (expired) this.jar.delete(key);
      else this.jar.set(key, { name, value, path: cookiePath });
    }
  }

  /** request sends one request (no redirect followed) with the jar's cookies and keeps the ones it sets. */
  async request(path: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    const cookie = this.cookieHeader(path.split('?')[0] ?? path);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    this.store(path.split('?')[0] ?? path, res.headers);
    return res;
  }

  /** open follows redirects (to paths on the same host) and returns the final response and its text. */
  async open(
    path: string,
    init: { form?: Record<string, string> } = {},
  ): Promise<{ res: Response; text: string; hops: string[] }> {
    const hops: string[] = [path];
    let res = await this.request(path, init);
    for (let i = 0; i < 10 && res.status >= 300 && res.status < 400; i++) {
      await res.arrayBuffer();
      const location = res.headers.get('location') ?? '';
      const next = new URL(location, `http://127.0.0.1:${port}${hops[hops.length - 1]}`);
      hops.push(next.pathname + next.search);
      res = await this.request(next.pathname + next.search);
    }
    return { res, text: await res.text(), hops };
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'berth-dbadmin-'));
  ctx = createDockerDriver({ dataDir, docker: new Docker(), profile: 'local' });
  await requireImages(ctx, [
    { role: 'database', engine: 'mariadb' },
    { role: 'database', engine: 'postgresql' },
    { role: 'dbadmin' },
  ]);
  for (const engine of ['mariadb', 'postgresql'] as const) {
    await ensureDatabaseServer(ctx, { engine, limits: DB_LIMITS });
    for (const t of Object.values(TENANTS[engine])) {
      await execSql(ctx, engine, tenantSql(engine, t));
      await execSql(ctx, engine, tableSql(engine, t), { database: t.db });
    }
  }
  port = await freePort();
  admin = await ensureDbAdmin(ctx, { hostPort: port });
});

afterAll(async () => {
  if (!ctx) return;
  const label = [`${LABELS.managed}=${ctx.instance}`];
  for (const c of await ctx.docker.listContainers({ all: true, filters: { label } }))
    await ctx.docker.getContainer(c.Id).remove({ force: true, v: true });
  for (const n of await ctx.docker.listNetworks({ filters: { label } })) await ctx.docker.getNetwork(n.Id).remove();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the database admin tools', () => {
  it('run hardened on a bridge of their own, published on loopback only, and a second ensure changes nothing', async () => {
    expect(admin).toMatchObject({ action: 'created', address: `127.0.0.1:${port}`, name: dbAdminContainerName(ctx) });
    const info = await ctx.docker.getContainer(admin.id).inspect();
    expect(info.Config.Labels).toMatchObject({
      [LABELS.managed]: ctx.instance,
      [LABELS.tenant]: DATABASES_OWNER,
      [LABELS.role]: 'dbadmin',
      [LABELS.component]: 'dbadmin',
    });
    expect(info.Config.User).toBe('1993:1993');
    expect(info.HostConfig.NetworkMode).toBe(dbAdminNetworkName(ctx.instance));
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([dbAdminNetworkName(ctx.instance)]);
    expect(info.HostConfig.PortBindings).toEqual({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.CapAdd ?? []).toEqual([]);
    expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
    expect(info.HostConfig.Binds).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/databases\/mariadb\/run:\/run\/mysqld:ro$/),
        expect.stringMatching(/\/databases\/postgresql\/run:\/run\/postgresql:ro$/),
        expect.stringMatching(/\/databases\/admin\/sso:\/run\/berth-sso$/),
        expect.stringMatching(/\/databases\/admin\/config:\/etc\/berth\/dbadmin:ro$/),
      ]),
    );
    const net = await ctx.docker.getNetwork(dbAdminNetworkName(ctx.instance)).inspect();
    expect(net.Labels).toMatchObject({ [LABELS.managed]: ctx.instance, [LABELS.role]: 'dbadmin' });

    const again = await ensureDbAdmin(ctx, { hostPort: port });
    expect(again).toMatchObject({ id: admin.id, action: 'unchanged' });

    const home = await new Browser().open('/');
    expect(home.res.status).toBe(200);
    expect(home.text).toContain('href="/phpmyadmin/"');
    expect(home.text).toContain('href="/adminer/"');
  });

  it('signs a browser in to phpMyAdmin as tenant A with a one-time link, which shows A’s database only', async () => {
    const a = TENANTS.mariadb.a;
    const link = await createDbAdminTicket(ctx, {
      engine: 'mariadb',
      user: a.user,
      password: a.password,
      ttlSeconds: 60,
    });
    expect(link.path).toBe(`/sso/${link.token}`);
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await readdir(dbAdminSsoDir(ctx.dataDir))).toEqual([ticketFileName(link.token)]);

    const browser = new Browser();
    const first = await browser.request(link.path);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/phpmyadmin/index.php?route=/&server=2');
    expect(first.headers.get('cache-control')).toContain('no-store');
    // Claimed and deleted: nothing of the ticket is left.
    expect(await readdir(dbAdminSsoDir(ctx.dataDir))).toEqual([]);

    const home = await browser.open('/phpmyadmin/index.php?route=/&server=2');
    expect(home.res.status).toBe(200);
    expect(home.text).toContain(`${a.user}@localhost`);
    expect(home.res.headers.get('x-frame-options')).toBe('DENY');
    expect(home.res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    const list = await browser.open('/phpmyadmin/index.php?route=/server/databases&server=2');
    expect(list.res.status).toBe(200);
    expect(list.text).toContain(a.db);
    expect(list.text).not.toContain(TENANTS.mariadb.b.db);
    for (const page of [home.text, list.text]) expect(page).not.toContain(a.password);

    // The same link again: refused, with a sentence saying what to do.
    const reused = await new Browser().open(link.path);
    expect(reused.res.status).toBe(403);
    expect(reused.text).toContain(USED);
  });

  it('lets only one of two simultaneous requests use a link', async () => {
    const a = TENANTS.mariadb.a;
    const link = await createDbAdminTicket(ctx, {
      engine: 'mariadb',
      user: a.user,
      password: a.password,
      ttlSeconds: 60,
    });
    const statuses = await Promise.all(
      [new Browser(), new Browser(), new Browser()].map(async (b) => {
        const res = await b.request(link.path);
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses.sort()).toEqual([302, 403, 403]);
  });

  it('refuses an expired ticket, and the sweeper deletes the expired ones', async () => {
    const a = TENANTS.mariadb.a;
    // An expired ticket exactly as the panel writes one (createDbAdminTicket never writes one in the past).
    const token = 'expired-ticket-for-the-integration-test-000';
    const ticket = {
      ...buildDbAdminTicket({ engine: 'mariadb', user: a.user, password: a.password, ttlSeconds: 10 }, new Date()),
    };
    ticket.expiresAt = Math.floor(Date.now() / 1000) - 5;
    const file = join(dbAdminSsoDir(ctx.dataDir), ticketFileName(token));
    await writeFile(file, renderDbAdminTicket(ticket), { mode: 0o600 });
    await chown(file, 1993, 1993);
    const expired = await new Browser().open(`/sso/${token}`);
    expect(expired.res.status).toBe(403);
    expect(expired.text).toContain(USED);
    expect(await readdir(dbAdminSsoDir(ctx.dataDir))).toEqual([]);

    const pending = await createDbAdminTicket(ctx, {
      engine: 'mariadb',
      user: a.user,
      password: a.password,
      ttlSeconds: 10,
    });
    expect(await sweepDbAdminTickets(ctx)).toBe(0);
    expect(await sweepDbAdminTickets(ctx, new Date(pending.expiresAt.getTime() + 1000))).toBe(1);
    expect(await readdir(dbAdminSsoDir(ctx.dataDir))).toEqual([]);
    expect((await new Browser().open(pending.path)).res.status).toBe(403);
  });

  it('shows phpMyAdmin’s own login without a link, and never opens the signed-on server without one', async () => {
    const login = await new Browser().open('/phpmyadmin/');
    expect(login.res.status).toBe(200);
    expect(login.text).toMatch(/name="pma_username"/);
    expect(login.text).toMatch(/name="pma_password"/);
    expect(login.res.headers.get('x-frame-options')).toBe('DENY');

    const signon = await new Browser().open('/phpmyadmin/index.php?route=/server/databases&server=2');
    expect(signon.hops).toContain('/sso/');
    expect(signon.res.status).toBe(403);
    expect(signon.text).not.toContain(TENANTS.mariadb.a.db);
  });

  it('signs a browser in to Adminer as tenant A in A’s database, which cannot open B’s', async () => {
    const { a, b } = TENANTS.postgresql;
    const link = await createDbAdminTicket(ctx, {
      engine: 'postgresql',
      user: a.user,
      password: a.password,
      database: a.db,
      ttlSeconds: 60,
    });
    const browser = new Browser();
    const opened = await browser.open(link.path);
    expect(opened.hops[1]).toBe(`/adminer/?pgsql=&username=${a.user}&db=${a.db}`);
    expect(opened.res.status).toBe(200);
    expect(opened.text).toContain(a.table);
    expect(opened.text).not.toContain(a.password);
    expect(opened.res.headers.get('x-frame-options')).toBe('DENY');
    expect(opened.res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    // The database list: A's only. B's is named in pg_database, and everyone may CONNECT to `postgres`, but pg_hba
    // lets A's user into neither, so neither is offered.
    const list = await browser.open(`/adminer/?pgsql=&username=${a.user}`);
    expect(list.res.status).toBe(200);
    expect(list.text).toContain(`db=${a.db}`);
    expect(list.text).not.toContain(`db=${b.db}`);
    expect(list.text).not.toContain('db=postgres');

    const across = await browser.open(`/adminer/?pgsql=&username=${a.user}&db=${b.db}`);
    expect(across.res.status).toBe(403);
    expect(across.text).not.toContain(b.table);
    expect(across.text).toMatch(/no pg_hba\.conf entry/);

    expect((await new Browser().open(link.path)).res.status).toBe(403);
  });

  it('shows Adminer’s own login for PostgreSQL only, and refuses any other server without connecting to it', async () => {
    const login = await new Browser().open('/adminer/');
    expect(login.res.status).toBe(200);
    expect(login.text).toContain("name='auth[username]'");
    expect(login.text).toContain("name='auth[driver]' value='pgsql'");
    // No server field to type into: the driver and the (empty, i.e. local) server are fixed hidden fields.
    expect(login.text).toContain("<input type='hidden' name='auth[server]' value=''>");
    expect(login.text).not.toContain('placeholder="localhost"');

    // A listener inside the container on an unprivileged port (Adminer's own check refuses only ports < 1024):
    // it must see no connection while Adminer is asked to log in there.
    const listener = execInContainer(
      ctx,
      admin.id,
      [
        'php',
        '-r',
        '$s = stream_socket_server("tcp://127.0.0.1:2222", $e, $m); $c = @stream_socket_accept($s, 4); echo $c ? "connected" : "none";',
      ],
      { timeoutMs: 15_000 },
    );
    await new Promise((r) => setTimeout(r, 500));
    const forms: Record<string, string>[] = [
      {
        'auth[driver]': 'pgsql',
        'auth[server]': '127.0.0.1:2222',
        'auth[username]': 'x',
        'auth[password]': 'y',
        'auth[db]': 'z',
      },
      {
        'auth[driver]': 'pgsql',
        'auth[server]': '127.0.0.1:22',
        'auth[username]': 'x',
        'auth[password]': 'y',
        'auth[db]': 'z',
      },
      {
        'auth[driver]': 'server',
        'auth[server]': '127.0.0.1:2222',
        'auth[username]': 'x',
        'auth[password]': 'y',
        'auth[db]': 'z',
      },
    ];
    for (const form of forms) {
      const refused = await new Browser().open('/adminer/', { form });
      expect(refused.res.status).toBe(403);
      expect(refused.text).toContain(ONLY_LOCAL.replace("'", '&apos;'));
    }
    for (const path of [
      '/adminer/?pgsql=127.0.0.1:2222&username=x',
      '/adminer/?server=127.0.0.1:2222&username=x',
      '/adminer/?elastic=127.0.0.1:2222&username=x',
      '/adminer/?username=x',
    ]) {
      const refused = await new Browser().open(path);
      expect(refused.res.status, path).toBe(403);
      expect(refused.text).toContain(ONLY_LOCAL.replace("'", '&apos;'));
    }
    const seen = await listener;
    expect(seen.stdout).toBe('none');
  });

  it('keeps passwords and tokens out of the container’s logs', async () => {
    const link = await createDbAdminTicket(ctx, {
      engine: 'mariadb',
      user: TENANTS.mariadb.a.user,
      password: TENANTS.mariadb.a.password,
      ttlSeconds: 60,
    });
    await new Browser().open(link.path);
    const logs = (await ctx.docker.getContainer(admin.id).logs({ stdout: true, stderr: true })).toString('utf8');
    expect(logs).toContain('/sso/(token hidden)');
    expect(logs).not.toContain(link.token);
    for (const t of [...Object.values(TENANTS.mariadb), ...Object.values(TENANTS.postgresql)])
      expect(logs).not.toContain(t.password);
  });

  it('is removed with its network; a second removal finds nothing', async () => {
    await createDbAdminTicket(ctx, { engine: 'mariadb', user: 'alpha_user', password: 'x', ttlSeconds: 60 });
    expect(await removeDbAdmin(ctx)).toBe(1);
    const label = [`${LABELS.managed}=${ctx.instance}`, `${LABELS.role}=dbadmin`];
    expect(await ctx.docker.listContainers({ all: true, filters: { label } })).toEqual([]);
    expect(await ctx.docker.listNetworks({ filters: { label } })).toEqual([]);
    // Unused tickets hold passwords: they go with the container.
    expect(await readdir(dbAdminSsoDir(ctx.dataDir))).toEqual([]);
    expect(await removeDbAdmin(ctx)).toBe(0);
  });
});

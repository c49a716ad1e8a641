import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseInventory, execInContainer, observe } from '@berth/runtime';
import { restartDockerEngine } from './docker-engine.js';
import { PanelProcess } from './panel-process.js';

interface Created {
  id: string;
  name: string;
  user: { id: string; name: string; password: string };
}
interface Database {
  id: string;
  name: string;
  sizeBytes: number | null;
}

/**
 * Databases for tenants over the real servers (issue 13): the built panel makes MariaDB and PostgreSQL databases
 * and users for two tenants; from inside tenant A's own PHP container (PHP 8.2, the sockets mounted at
 * /run/mysqld and /run/postgresql) A's user works on A's databases and cannot connect to, list or read B's, on
 * both engines. Suspension locks A's users, a terminated tenant's databases are dropped, sizes reach the API,
 * and data survives a panel kill and a Docker engine restart.
 */
describe('tenant databases on the real MariaDB and PostgreSQL servers', () => {
  let panel: PanelProcess;
  const tenants: Record<'a' | 'b', { id: string; maria: Created; pg: Created }> = {} as never;

  /** php runs PHP code as the tenant in its own PHP 8.2 container and returns what it printed. */
  async function php(tenant: 'a' | 'b', code: string): Promise<string> {
    const driver = panel.driver();
    const seen = await observe(driver, { tenantId: tenants[tenant].id });
    const container = seen.containers.find((c) => c.component === 'php-8.2' && c.state === 'running');
    if (!container) throw new Error(`no running PHP 8.2 container for tenant ${tenant}`);
    const res = await execInContainer(driver, container.id, ['php', '-d', 'display_errors=stderr', '-r', code], {
      timeoutMs: 30_000,
    });
    return (res.stdout + res.stderr).trim();
  }
  const slugOf = (t: 'a' | 'b') => (t === 'a' ? 'dba' : 'dbb');

  /** mysql connects as a MariaDB user through the socket and runs one statement; prints rows or the error. */
  const mysql = (user: string, password: string, db: string, sql: string) => `
    mysqli_report(MYSQLI_REPORT_OFF);
    $c = @mysqli_connect('localhost', ${JSON.stringify(user)}, ${JSON.stringify(password)}, ${JSON.stringify(db)});
    if (!$c) { echo 'CONNECT-FAILED ', mysqli_connect_error(); exit; }
    $r = mysqli_query($c, ${JSON.stringify(sql)});
    if ($r === false) { echo 'QUERY-FAILED ', mysqli_error($c); exit; }
    if ($r === true) { echo 'OK'; exit; }
    while ($row = mysqli_fetch_row($r)) echo implode(',', $row), "\\n";`;

  /** pg connects as a PostgreSQL role through the socket dir and runs one statement. */
  const pg = (user: string, password: string, db: string, sql: string) => `
    $c = @pg_connect(${JSON.stringify(`host=/run/postgresql dbname=${db} user=${user} password=${password}`)});
    if (!$c) { echo 'CONNECT-FAILED ', error_get_last()['message'] ?? ''; exit; }
    $r = @pg_query($c, ${JSON.stringify(sql)});
    if ($r === false) { echo 'QUERY-FAILED ', pg_last_error($c); exit; }
    $rows = pg_fetch_all($r) ?: [];
    if (!$rows) { echo 'OK'; exit; }
    foreach ($rows as $row) echo implode(',', $row), "\\n";`;

  beforeAll(async () => {
    panel = await PanelProcess.start({ BERTH_EDGE: 'off', BERTH_RECONCILE_INTERVAL_S: '5' });
    for (const t of ['a', 'b'] as const) {
      const slug = slugOf(t);
      const tenant = await panel.api<{ id: string }>('POST', '/tenants', {
        slug,
        name: slug,
        owner: { email: `owner@${slug}.test`, password: `${slug}-password-123` },
      });
      expect(tenant.status).toBe(201);
      const id = tenant.body.id;
      expect(
        (await panel.api('POST', '/sites', { tenantId: id, name: 'www', runtime: { kind: 'php', version: '8.2' } }))
          .status,
      ).toBe(201);
      const maria = await panel.api<Created>('POST', '/databases', {
        tenantId: id,
        engine: 'mariadb',
        name: 'shop',
        user: 'shop',
      });
      expect(maria.status, maria.text).toBe(201);
      const pgres = await panel.api<Created>('POST', '/databases', {
        tenantId: id,
        engine: 'postgresql',
        name: 'app',
        user: 'appuser',
      });
      expect(pgres.status, pgres.text).toBe(201);
      tenants[t] = { id, maria: maria.body, pg: pgres.body };
    }
    await panel.waitFor(
      'both tenants’ PHP containers running',
      async () => {
        const seen = await observe(panel.driver());
        return seen.containers.filter((c) => c.component === 'php-8.2' && c.state === 'running').length === 2;
      },
      120_000,
    );
  }, 300_000);
  afterAll(async () => {
    await panel?.stop();
  }, 300_000);

  it("lets A's users work in A's databases through the mounted sockets", async () => {
    const { maria, pg: p } = tenants.a;
    expect(maria.name).toBe('dba_shop');
    expect(
      await php('a', mysql(maria.user.name, maria.user.password, maria.name, 'CREATE TABLE t (v VARCHAR(40))')),
    ).toBe('OK');
    expect(
      await php(
        'a',
        mysql(maria.user.name, maria.user.password, maria.name, "INSERT INTO t VALUES ('before-restarts')"),
      ),
    ).toBe('OK');
    expect(await php('a', mysql(maria.user.name, maria.user.password, maria.name, 'SELECT v FROM t'))).toBe(
      'before-restarts',
    );
    expect(await php('a', pg(p.user.name, p.user.password, p.name, 'CREATE TABLE t (v text)'))).toBe('OK');
    expect(await php('a', pg(p.user.name, p.user.password, p.name, "INSERT INTO t VALUES ('pg-before')"))).toBe('OK');
    expect(await php('a', pg(p.user.name, p.user.password, p.name, 'SELECT v FROM t'))).toBe('pg-before');
  });

  it("never lets A's users connect to, list or read B's databases (MariaDB)", async () => {
    const { maria } = tenants.a;
    const other = tenants.b.maria.name;
    expect(await php('a', mysql(maria.user.name, maria.user.password, other, 'SELECT 1'))).toMatch(
      /^CONNECT-FAILED .*Access denied/,
    );
    const listed = await php('a', mysql(maria.user.name, maria.user.password, maria.name, 'SHOW DATABASES'));
    expect(listed.split('\n').sort()).toEqual(['dba_shop', 'information_schema']);
    expect(await php('a', mysql(maria.user.name, maria.user.password, maria.name, `SELECT * FROM ${other}.t`))).toMatch(
      /^QUERY-FAILED .*denied/,
    );
    // No TCP anywhere: the server listens on its socket only.
    expect(await php('a', `var_dump(@fsockopen('127.0.0.1', 3306, $e, $s, 2));`)).toContain('bool(false)');
  });

  it("never lets A's users connect to, list or read B's databases (PostgreSQL)", async () => {
    const { pg: p } = tenants.a;
    const other = tenants.b.pg.name;
    expect(await php('a', pg(p.user.name, p.user.password, other, 'SELECT 1'))).toMatch(
      /^CONNECT-FAILED .*(no pg_hba|rejected|not permitted|denied)/,
    );
    expect(await php('a', pg(p.user.name, p.user.password, p.name, 'SELECT datname FROM pg_database'))).toMatch(
      /^QUERY-FAILED .*permission denied/,
    );
    expect(
      await php('a', pg(p.user.name, p.user.password, p.name, `SELECT * FROM dblink('dbname=${other}', 'select 1')`)),
    ).toMatch(/^QUERY-FAILED/);
    // B's own user still gets in to B's database (the refusal above is about A, not a broken server).
    const b = tenants.b.pg;
    expect(await php('b', pg(b.user.name, b.user.password, b.name, 'SELECT 42'))).toBe('42');
  });

  it('reports sizes through the API', async () => {
    const size = await panel.waitFor(
      'a measured size of dba_shop',
      async () => {
        const list = await panel.api<{ items: Database[] }>('GET', `/databases?tenantId=${tenants.a.id}`);
        const db = list.body.items.find((d) => d.name === 'dba_shop');
        return db?.sizeBytes ? db.sizeBytes : undefined;
      },
      60_000,
    );
    expect(size).toBeGreaterThan(0);
    const usage = await panel.api<{ disk: { databasesBytes: number } }>('GET', `/accounts/${tenants.a.id}/usage`);
    expect(usage.body.disk.databasesBytes).toBeGreaterThanOrEqual(size);
  });

  it("locks a suspended tenant's users and lets them in again after unsuspension", async () => {
    const { maria, pg: p } = tenants.a;
    expect((await panel.api('POST', `/tenants/${tenants.a.id}/suspend`)).status).toBe(200);
    // A's containers stop while it is suspended; its users must be locked for anyone who knows their password,
    // so B's container (on the same sockets) tries them.
    await panel.waitFor(
      'MariaDB user locked',
      async () => /locked/i.test(await php('b', mysql(maria.user.name, maria.user.password, maria.name, 'SELECT 1'))),
      60_000,
    );
    await panel.waitFor(
      'PostgreSQL role locked',
      async () => /not permitted to log in/.test(await php('b', pg(p.user.name, p.user.password, p.name, 'SELECT 1'))),
      60_000,
    );
    expect((await panel.api('POST', `/tenants/${tenants.a.id}/unsuspend`)).status).toBe(200);
    await panel.waitFor(
      'MariaDB user unlocked',
      async () =>
        (await php('a', mysql(maria.user.name, maria.user.password, maria.name, 'SELECT v FROM t'))) ===
        'before-restarts',
      120_000,
    );
    expect(await php('a', pg(p.user.name, p.user.password, p.name, 'SELECT v FROM t'))).toBe('pg-before');
  }, 300_000);

  it('keeps the data across a panel kill and a Docker engine restart', async () => {
    const { maria, pg: p } = tenants.a;
    await panel.kill('SIGKILL');
    await panel.spawn();
    expect(await php('a', mysql(maria.user.name, maria.user.password, maria.name, 'SELECT v FROM t'))).toBe(
      'before-restarts',
    );
    await restartDockerEngine();
    await panel.waitFor(
      'MariaDB answering A again after the engine restart',
      async () =>
        (await php('a', mysql(maria.user.name, maria.user.password, maria.name, 'SELECT v FROM t'))) ===
        'before-restarts',
      180_000,
    );
    await panel.waitFor(
      'PostgreSQL answering A again after the engine restart',
      async () => (await php('a', pg(p.user.name, p.user.password, p.name, 'SELECT v FROM t'))) === 'pg-before',
      120_000,
    );
  }, 400_000);

  it("drops a terminated tenant's databases and users from the servers", async () => {
    expect((await panel.api('DELETE', `/tenants/${tenants.b.id}`)).status).toBe(200);
    const driver = panel.driver();
    await panel.waitFor(
      "B's databases and users gone from both servers",
      async () => {
        const maria = await databaseInventory(driver, 'mariadb');
        const postgres = await databaseInventory(driver, 'postgresql');
        const names = [
          ...maria.databases.keys(),
          ...maria.users.keys(),
          ...postgres.databases.keys(),
          ...postgres.users.keys(),
        ];
        return !names.some((n) => n.startsWith('dbb_')) && names.includes('dba_shop');
      },
      60_000,
    );
    // A's are untouched.
    expect(
      await php('a', mysql(tenants.a.maria.user.name, tenants.a.maria.user.password, 'dba_shop', 'SELECT v FROM t')),
    ).toBe('before-restarts');
  });
});

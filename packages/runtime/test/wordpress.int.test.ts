import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chown, lstat, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'node:http';
import {
  LABELS,
  ensureDatabaseServer,
  ensureSiteScaffold,
  ensureTenantRuntime,
  execInContainer,
  execSql,
  installWordPress,
  isRuntimeError,
  quoteGrantDatabase,
  quoteIdent,
  quoteLiteral,
  removeDatabaseServer,
  removeTenant,
  renderWpConfig,
  resolveImage,
  sitesDir,
  type DockerDriver,
  type SiteSpec,
  type TenantIdentity,
  type WordPressInstallParams,
} from '../src/index.js';
import { BOUNDS, LIMITS, TENANT_LIMITS, freePort, newDriver, requireImages, uniqueTenantId } from './helpers.js';

// WordPress in one click on the real engine: the installation's MariaDB server, a tenant with PHP sites behind
// nginx, and installWordPress into them. Then over HTTP as a visitor behind the edge would (Host header and
// X-Forwarded-Proto: https): the front page, a login with the chosen password, the dashboard. Refusals change
// nothing, a failure after the copy is undone. afterAll removes the tenant, the server and the data dir.

const MIB = 1024 * 1024;
const DB_LIMITS = { nanoCpus: 1_000_000_000, memoryBytes: 256 * MIB, pids: 128 };
const PHP_SETTINGS = {
  memoryLimitMb: 128,
  uploadMaxMb: 8,
  postMaxMb: 8,
  maxExecutionSeconds: 30,
  displayErrors: false,
};
/** Every character that matters to a PHP single-quoted literal, to JSON and to SQL. */
const DB_PASSWORD = "db'pa\\ss$word\\";
const ADMIN_PASSWORD = 'Adm\'in\\pa$$ "wörd"';
const TITLE = "Ann's Blog & <Notes>";
const TENANT: TenantIdentity = {
  tenantId: uniqueTenantId('tw'),
  uid: 21000 + Math.floor(Math.random() * 1000),
  gid: 21000 + Math.floor(Math.random() * 1000),
};
/** The sites: WordPress on each PHP version Berth offers, and sites the installer must refuse or undo. */
const VERSIONS = ['8.2', '7.4', '8.4'] as const;
const blogSite = (v: string) => `blog${v.replace('.', '')}`;
const host = (siteId: string) => `${siteId}.w.test`;
const SITES: SiteSpec[] = [...VERSIONS.map(blogSite), 'taken', 'fresh'].map((siteId, i) => ({
  kind: 'php',
  siteId,
  hostnames: [host(siteId)],
  version: VERSIONS[i] ?? '8.2',
  documentRoot: 'public',
  php: PHP_SETTINGS,
}));

let ctx: DockerDriver;
let cleanup: () => Promise<void>;
let web: number;

const docroot = (siteId: string) => join(sitesDir(ctx, TENANT.tenantId), siteId, 'public');

/** createDatabase gives a site its own database and user, as the panel will (quoting helpers only). */
async function createDatabase(name: string, privileges = 'ALL PRIVILEGES'): Promise<void> {
  const u = quoteIdent('mariadb', name);
  await execSql(
    ctx,
    'mariadb',
    `CREATE DATABASE ${quoteIdent('mariadb', name)} CHARACTER SET utf8mb4;
CREATE USER ${u}@'localhost' IDENTIFIED BY ${quoteLiteral('mariadb', DB_PASSWORD)};
GRANT ${privileges} ON ${quoteGrantDatabase('mariadb', name)}.* TO ${u}@'localhost';`,
  );
}

async function tables(db: string): Promise<string[]> {
  const { rows } = await execSql(ctx, 'mariadb', 'SHOW TABLES;', { database: db });
  return rows.map((r) => r[0] as string);
}

function params(siteId: string, db: string, more: Partial<WordPressInstallParams> = {}): WordPressInstallParams {
  return {
    tenant: TENANT,
    siteId,
    siteUrl: `https://${host(siteId)}`,
    title: TITLE,
    admin: { user: 'ann', password: ADMIN_PASSWORD, email: 'ann@example.com' },
    db: { name: db, user: db, password: DB_PASSWORD },
    ...more,
  };
}

/** snapshot lists a folder's tree with each entry's kind, size, mode, owner, mtime and content hash. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const path = join(dir, rel, name);
      const st = await lstat(path);
      const hash = st.isFile()
        ? createHash('sha256')
            .update(await readFile(path))
            .digest('hex')
        : '';
      out.push(`${join(rel, name)} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${st.mtimeMs} ${hash}`);
      if (st.isDirectory()) await walk(join(rel, name));
    }
  };
  await walk('');
  return out;
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** visit sends one request to the tenant's webserver as the edge would: Host, X-Forwarded-Proto: https. */
function visit(
  siteId: string,
  path: string,
  opts: { method?: string; cookies?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
  const cookie = Object.entries(opts.cookies ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  const headers: Record<string, string> = { Host: host(siteId), 'X-Forwarded-Proto': 'https' };
  if (cookie) headers.Cookie = cookie;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: web, path, method: opts.method ?? 'GET', headers, agent: false, timeout: 20_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** setCookies reads the name=value pairs of a response's Set-Cookie headers (a deletion sets an empty value). */
function setCookies(res: HttpAnswer): Record<string, string> {
  const raw = res.headers['set-cookie'] ?? [];
  return Object.fromEntries(
    (Array.isArray(raw) ? raw : [raw]).map((c) => {
      const pair = c.split(';')[0] as string;
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

/** logIn signs in through wp-login.php as a browser does and returns the session's cookies. */
async function logIn(
  siteId: string,
  user: string,
  password: string,
): Promise<{ res: HttpAnswer; cookies: Record<string, string> }> {
  const res = await visit(siteId, '/wp-login.php', {
    method: 'POST',
    // WordPress refuses a login whose browser did not send its test cookie back.
    cookies: { wordpress_test_cookie: 'WP%20Cookie%20check' },
    form: {
      log: user,
      pwd: password,
      rememberme: 'forever',
      'wp-submit': 'Log In',
      redirect_to: `https://${host(siteId)}/wp-admin/`,
      testcookie: '1',
    },
  });
  const cookies = Object.fromEntries(Object.entries(setCookies(res)).filter(([, v]) => v !== '' && v !== 'deleted'));
  return { res, cookies };
}

async function expectRefused(promise: Promise<unknown>, reason: string): Promise<Record<string, unknown>> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRuntimeError(err), `expected a RuntimeError, got ${String(err)}`).toBe(true);
  const details = (err as { details?: Record<string, unknown> }).details ?? {};
  expect(details.reason, (err as Error).message).toBe(reason);
  return details;
}

beforeAll(async () => {
  ({ ctx, cleanup } = await newDriver());
  await requireImages(ctx, [
    { role: 'wordpress' },
    { role: 'database', engine: 'mariadb' },
    { role: 'webserver', kind: 'nginx' },
    ...VERSIONS.map((version) => ({ role: 'php-fpm' as const, version })),
  ]);
  web = await freePort();
  await ensureDatabaseServer(ctx, { engine: 'mariadb', limits: DB_LIMITS });
  for (const siteId of [...VERSIONS.map(blogSite), 'taken', 'fresh']) {
    await createDatabase(`wp_${siteId}`);
    await ensureSiteScaffold(ctx, TENANT, { siteId, kind: 'php', documentRoot: 'public' });
  }
  await createDatabase('wp_readonly', 'SELECT');
  // A file of the tenant's own next to the default page.
  const own = join(docroot('taken'), 'notes.txt');
  await writeFile(own, 'mine\n', { mode: 0o644 });
  await chown(own, TENANT.uid, TENANT.gid);
  await ensureTenantRuntime(ctx, {
    tenant: TENANT,
    webserver: { kind: 'nginx', port: web, limits: LIMITS },
    sites: SITES,
    php: { bounds: BOUNDS, limits: LIMITS },
    appLimits: LIMITS,
    limits: TENANT_LIMITS,
  });
});

afterAll(async () => {
  if (ctx) {
    await removeTenant(ctx, { tenantId: TENANT.tenantId, deleteSiteFiles: true });
    await removeDatabaseServer(ctx, 'mariadb', { deleteData: true });
    // Anything else of this installation (an installer a failed test could not remove).
    const left = await ctx.docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.managed}=${ctx.instance}`] },
    });
    for (const c of left) await ctx.docker.getContainer(c.Id).remove({ force: true, v: true });
  }
  await cleanup?.();
});

describe('wp-config.php as PHP reads it', () => {
  it("gives PHP back a password with ', \\ and $ unchanged", async () => {
    const text = renderWpConfig({
      dbName: 'shop',
      dbUser: 'shop',
      dbPassword: DB_PASSWORD,
      siteUrl: 'https://shop.example.com',
    });
    // Read the config with the image's own PHP (wp-settings.php stubbed out) and print what it defined.
    const script = `$t = stream_get_contents(STDIN); @mkdir('/tmp/wp'); file_put_contents('/tmp/wp/wp-settings.php', '<?php');
file_put_contents('/tmp/c.php', $t); define('ABSPATH', '/tmp/wp/'); $_SERVER['HTTP_X_FORWARDED_PROTO'] = 'https';
require '/tmp/c.php'; echo json_encode([DB_PASSWORD, DB_HOST, DB_CHARSET, WP_HOME, WP_SITEURL, $table_prefix, $_SERVER['HTTPS'], strlen(AUTH_KEY)]);`;
    const c = await ctx.docker.createContainer({
      Image: resolveImage(ctx.profile, { role: 'wordpress' }).image,
      Cmd: ['sleep', '60'],
      Labels: { [LABELS.managed]: ctx.instance, [LABELS.tenant]: 'wp-config-test' },
      HostConfig: { NetworkMode: 'none', Tmpfs: { '/tmp': 'rw,size=4m' }, ReadonlyRootfs: true },
    });
    try {
      await c.start();
      const res = await execInContainer(ctx, c.id, ['php', '-r', script], { input: text });
      expect(res.stderr).toBe('');
      expect(JSON.parse(res.stdout)).toEqual([
        DB_PASSWORD,
        'localhost',
        'utf8mb4',
        'https://shop.example.com',
        'https://shop.example.com',
        'wp_',
        'on',
        64,
      ]);
    } finally {
      await c.remove({ force: true });
    }
  });
});

describe('installWordPress', () => {
  it('installs WordPress 6 into the site that shows the default page (PHP 8.2)', async () => {
    const { version } = await installWordPress(ctx, params('blog82', 'wp_blog82'));
    expect(version).toMatch(/^6\.\d+(\.\d+)?$/);
    const first = await visit('blog82', '/');
    expect(first.status).toBe(200);
  });

  it("leaves the tenant's files and a wp-config.php only the tenant can read", async () => {
    const root = docroot('blog82');
    const names = await readdir(root);
    expect(names).toEqual(
      expect.arrayContaining(['index.php', 'wp-admin', 'wp-content', 'wp-includes', 'wp-config.php']),
    );
    expect(names).not.toContain('.berth-wp-install');
    expect(names).not.toContain('.berth-version');
    const config = await stat(join(root, 'wp-config.php'));
    expect([config.uid, config.gid, config.mode & 0o777]).toEqual([TENANT.uid, TENANT.gid, 0o600]);
    for (const rel of ['index.php', 'wp-includes/version.php', 'wp-content/themes/twentytwentythree/style.css']) {
      const st = await stat(join(root, rel));
      expect([st.uid, st.gid, st.mode & 0o777]).toEqual([TENANT.uid, TENANT.gid, 0o644]);
    }
    const dir = await stat(join(root, 'wp-content'));
    expect([dir.uid, dir.mode & 0o777]).toEqual([TENANT.uid, 0o755]);
    expect(
      (await readFile(join(root, 'wp-config.php'), 'utf8')).includes(
        DB_PASSWORD.replaceAll('\\', '\\\\').replaceAll("'", "\\'"),
      ),
    ).toBe(true);
    // Nothing of the installer is left running or stopped.
    const installers = await ctx.docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.role}=installer`, `${LABELS.managed}=${ctx.instance}`] },
    });
    expect(installers).toEqual([]);
  });

  it.each(VERSIONS)(
    'serves the front page with its title, pretty permalinks and a working login on PHP %s',
    async (v) => {
      const siteId = blogSite(v);
      if (v !== '8.2') await installWordPress(ctx, params(siteId, `wp_${siteId}`));
      const home = await visit(siteId, '/');
      expect(home.status).toBe(200);
      expect(home.body).toContain('Ann&#039;s Blog &amp; &lt;Notes&gt;');
      // The sample post at its pretty permalink (nginx sends unknown paths to index.php).
      expect((await visit(siteId, '/hello-world/')).status).toBe(200);
      expect(home.body).toContain(`https://${host(siteId)}/hello-world/`);

      const wrong = await logIn(siteId, 'ann', 'not the password');
      expect(wrong.res.status).toBe(200);
      expect(Object.keys(wrong.cookies).some((k) => k.startsWith('wordpress_logged_in_'))).toBe(false);

      const { res, cookies } = await logIn(siteId, 'ann', ADMIN_PASSWORD);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`https://${host(siteId)}/wp-admin/`);
      expect(Object.keys(cookies).some((k) => k.startsWith('wordpress_sec_'))).toBe(true);
      const admin = await visit(siteId, '/wp-admin/', { cookies });
      expect(admin.status).toBe(200);
      expect(admin.body).toContain('Dashboard');
      // Without the session the dashboard sends visitors to the login page.
      const anonymous = await visit(siteId, '/wp-admin/');
      expect(anonymous.status).toBe(302);
      expect(String(anonymous.headers.location)).toContain('/wp-login.php');
    },
  );

  it('refuses a second installation into the same site and changes nothing', async () => {
    const before = await snapshot(docroot('blog82'));
    const tablesBefore = await tables('wp_blog82');
    const users = async () =>
      (
        await execSql(ctx, 'mariadb', 'SELECT user_login, user_pass FROM wp_users ORDER BY ID;', {
          database: 'wp_blog82',
        })
      ).rows;
    const usersBefore = await users();
    const details = await expectRefused(
      installWordPress(
        ctx,
        params('blog82', 'wp_blog82', { admin: { user: 'eve', password: 'eve-pass', email: 'eve@example.com' } }),
      ),
      'site-not-empty',
    );
    expect(details.lastLines).toEqual([]);
    expect(await snapshot(docroot('blog82'))).toEqual(before);
    expect(await tables('wp_blog82')).toEqual(tablesBefore);
    expect(await users()).toEqual(usersBefore);
    expect((await visit('blog82', '/')).status).toBe(200);
  });

  it("refuses a site that holds a file of the tenant's, and changes nothing", async () => {
    const before = await snapshot(docroot('taken'));
    await expectRefused(installWordPress(ctx, params('taken', 'wp_taken')), 'site-not-empty');
    expect(await snapshot(docroot('taken'))).toEqual(before);
    expect(before.map((l) => l.split(' ')[0])).toEqual(['index.php', 'notes.txt']);
    expect(await tables('wp_taken')).toEqual([]);
  });

  it('refuses a database that already holds WordPress tables, and changes nothing', async () => {
    const before = await snapshot(docroot('fresh'));
    await expectRefused(installWordPress(ctx, params('fresh', 'wp_blog82')), 'database-not-empty');
    expect(await snapshot(docroot('fresh'))).toEqual(before);
  });

  it('refuses a wrong database password before touching the site', async () => {
    const before = await snapshot(docroot('fresh'));
    await expectRefused(
      installWordPress(
        ctx,
        params('fresh', 'wp_fresh', { db: { name: 'wp_fresh', user: 'wp_fresh', password: 'wrong' } }),
      ),
      'database-login',
    );
    expect(await snapshot(docroot('fresh'))).toEqual(before);
  });

  it('undoes a failed installation: the default page is back and the database is empty again', async () => {
    const before = await snapshot(docroot('fresh'));
    // A user that may only read: the checks pass, WordPress's tables cannot be created.
    const err: unknown = await installWordPress(
      ctx,
      params('fresh', 'wp_readonly', { db: { name: 'wp_readonly', user: 'wp_readonly', password: DB_PASSWORD } }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRuntimeError(err, 'CONTAINER_FAILED')).toBe(true);
    expect((err as { details?: Record<string, unknown> }).details).toMatchObject({ rolledBack: true });
    expect((err as Error).message).toContain('put back as they were');
    expect(await snapshot(docroot('fresh'))).toEqual(before);
    expect(await tables('wp_readonly')).toEqual([]);
    // …and the site can still take WordPress.
    await installWordPress(ctx, params('fresh', 'wp_fresh'));
    expect((await visit('fresh', '/')).status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpsSession } from './https-session.js';
import { freePort, PanelProcess } from './panel-process.js';

interface Site {
  id: string;
  status: string;
  runtime: { kind: string; version: string };
}
interface Install {
  status: string;
  version: string | null;
  adminUrl: string | null;
  databaseId: string | null;
  adminPassword?: string;
}

const HOST = 'blog.wp.test';
const PANEL_HOST = 'panel.wp.test';
const DB_HOST = 'db.wp.test';

/**
 * WordPress end to end (issue 13), through the real edge over verified HTTPS: one click installs it on a PHP
 * 8.2 site; its administrator signs in to wp-admin (cookies, nonces, redirects) and publishes a post through
 * WordPress's REST API; the post is on the public front page, and still after the site moves to PHP 8.4 and to
 * 7.4. The panel itself answers on its own HTTPS host with a Secure session cookie, and phpMyAdmin opens
 * through a one-time link as the WordPress database's user, showing only that tenant's databases.
 */
describe('WordPress in one click, used over HTTPS through the edge', () => {
  let panel: PanelProcess;
  let web: HttpsSession;
  let tenantId: string;
  let siteId: string;
  let install: Install;
  const admin = { user: 'editor', password: 'Editor-pass-2026!', email: 'editor@blog.wp.test' };
  // WordPress knows its address with the edge's port (not 443 here), as a browser would send it.
  const url = (path = '/') => `https://${HOST}:${panel.httpsPort}${path}`;

  const site = async () => (await panel.api<Site>('GET', `/sites/${siteId}`)).body;

  beforeAll(async () => {
    panel = await PanelProcess.start({
      BERTH_PANEL_HOST: PANEL_HOST,
      BERTH_DB_ADMIN_HOST: DB_HOST,
      BERTH_DB_ADMIN_PORT: String(await freePort()),
    });
    const t = await panel.api<{ id: string }>('POST', '/tenants', {
      slug: 'wpblog',
      name: 'WP blog',
      owner: { email: 'owner@wpblog.test', password: 'wpblog-password-123' },
    });
    tenantId = t.body.id;
    const s = await panel.api<{ id: string }>('POST', '/sites', {
      tenantId,
      name: 'blog',
      runtime: { kind: 'php', version: '8.2' },
    });
    siteId = s.body.id;
    expect((await panel.api('POST', `/sites/${siteId}/domains`, { hostname: HOST })).status).toBe(201);
    await panel.waitFor(
      'site live and served',
      async () => (await site()).status === 'live' && (await panel.https(HOST, '/')).status === 200,
      120_000,
    );
    web = new HttpsSession(panel.httpsPort, panel.caRoot);
  }, 300_000);
  afterAll(async () => {
    await panel?.stop();
  }, 300_000);

  it('installs WordPress in one click and serves its front page', async () => {
    const res = await panel.api<Install>('POST', `/sites/${siteId}/apps/wordpress`, {
      title: 'Berth Blog',
      adminUser: admin.user,
      adminEmail: admin.email,
      adminPassword: admin.password,
    });
    expect(res.status, res.text).toBe(201);
    install = res.body;
    expect(install).toMatchObject({ status: 'installed', adminUrl: `https://${HOST}:${panel.httpsPort}/wp-admin/` });
    expect(install.version).toMatch(/^6\./);
    expect(install.adminPassword).toBeUndefined();
    const home = await web.request('GET', url('/'));
    expect(home.status).toBe(200);
    expect(home.body).toContain('Berth Blog');
    // A second click on the same (no longer empty) site is refused and changes nothing.
    const again = await panel.api<{ error: { code: string } }>('POST', `/sites/${siteId}/apps/wordpress`, {
      title: 'Again',
      adminUser: 'other',
      adminEmail: 'other@blog.wp.test',
    });
    expect(again.status).toBe(409);
    expect((await web.request('GET', url('/'))).body).toContain('Berth Blog');
  }, 120_000);

  it('lets the administrator sign in to wp-admin and publish a post that visitors read', async () => {
    const login = await web.request('GET', url('/wp-login.php'));
    expect(login.status).toBe(200);
    web.cookie(HOST, 'wordpress_test_cookie', 'WP%20Cookie%20check');
    const signedIn = await web.form(url('/wp-login.php'), {
      log: admin.user,
      pwd: admin.password,
      'wp-submit': 'Log In',
      redirect_to: url('/wp-admin/'),
      testcookie: '1',
    });
    expect(signedIn.status, signedIn.body.slice(0, 500)).toBe(302);
    expect(signedIn.location).toMatch(/\/wp-admin\/$/);
    const dashboard = await web.request('GET', url('/wp-admin/'), { follow: true });
    expect(dashboard.status).toBe(200);
    expect(dashboard.body).toContain('Dashboard');
    // The REST API's nonce, as the block editor gets it.
    const editor = await web.request('GET', url('/wp-admin/post-new.php'), { follow: true });
    const nonce = /createNonceMiddleware\(\s*"([0-9a-f]+)"\s*\)/.exec(editor.body)?.[1];
    expect(nonce, 'the editor page carries a REST nonce').toBeTruthy();
    const post = await web.request('POST', url('/?rest_route=/wp/v2/posts'), {
      body: JSON.stringify({ title: 'Hello from Berth', content: 'Served through Caddy.', status: 'publish' }),
      headers: { 'content-type': 'application/json', 'x-wp-nonce': nonce! },
    });
    expect(post.status, post.body.slice(0, 500)).toBe(201);
    const visitor = new HttpsSession(panel.httpsPort, panel.caRoot);
    const page = await visitor.request('GET', url('/'));
    expect(page.status).toBe(200);
    expect(page.body).toContain('Hello from Berth');
    const single = await visitor.request('GET', url('/hello-from-berth/'));
    expect(single.status).toBe(200);
    expect(single.body).toContain('Served through Caddy.');
  }, 120_000);

  it.each(['8.4', '7.4'])(
    'serves the post after the site moves to PHP %s',
    async (version) => {
      // PHP does not say its version in headers here (expose_php is off): a one-line page of the site's own says it.
      const probe = await panel.api('PUT', `/sites/${siteId}/files/php-version.php`, undefined, {
        raw: '<?php echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;',
      });
      expect(probe.status, probe.text).toBe(201);
      const res = await panel.api('PATCH', `/sites/${siteId}`, { runtime: { kind: 'php', version } });
      expect(res.status, res.text).toBe(200);
      await panel.waitFor(
        `site live on PHP ${version}`,
        async () => {
          const s = await site();
          if (s.status !== 'live' || s.runtime.version !== version) return false;
          return (await web.request('GET', url('/php-version.php'))).body === version;
        },
        180_000,
      );
      const page = await web.request('GET', url('/'));
      expect(page.status).toBe(200);
      expect(page.body).toContain('Hello from Berth');
      expect((await web.request('GET', url('/hello-from-berth/'))).body).toContain('Served through Caddy.');
      expect((await web.request('GET', url('/wp-admin/'), { follow: true })).body).toContain('Dashboard');
    },
    200_000,
  );

  it('answers on the panel’s own HTTPS host with a Secure session cookie', async () => {
    const session = new HttpsSession(panel.httpsPort, panel.caRoot);
    const health = await session.request('GET', `https://${PANEL_HOST}:${panel.httpsPort}/api/v1/health`);
    expect(health.status).toBe(200);
    const login = await session.request('POST', `https://${PANEL_HOST}:${panel.httpsPort}/api/v1/auth/login`, {
      body: JSON.stringify(panel.admin),
      headers: { 'content-type': 'application/json' },
    });
    expect(login.status).toBe(200);
    const cookie = session.setCookies.find((c) => c.startsWith('berth_session='));
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
    // Local use on 127.0.0.1 stays plain HTTP.
    expect((await panel.api('GET', '/me')).status).toBe(200);
  });

  it('opens phpMyAdmin as the WordPress database user through a one-time link, only once', async () => {
    // A second tenant's database, which must not show up.
    const other = await panel.api<{ id: string }>('POST', '/tenants', {
      slug: 'otherwp',
      name: 'Other',
      owner: { email: 'owner@otherwp.test', password: 'otherwp-password-123' },
    });
    expect(
      (await panel.api('POST', '/databases', { tenantId: other.body.id, engine: 'mariadb', name: 'secret' })).status,
    ).toBe(201);
    const db = await panel.api<{ name: string; users: { id: string; name: string }[] }>(
      'GET',
      `/databases/${install.databaseId}`,
    );
    const userId = db.body.users[0]!.id;
    const link = await panel.api<{ url: string }>('POST', `/database-users/${userId}/admin-login`, {});
    expect(link.status, link.text).toBe(200);
    expect(link.body.url).toMatch(
      new RegExp(`^https://${DB_HOST.replace(/\./g, '\\.')}:${panel.httpsPort}/sso/[A-Za-z0-9_-]+$`),
    );
    const browser = new HttpsSession(panel.httpsPort, panel.caRoot);
    const opened = await browser.request('GET', link.body.url, { follow: true });
    expect(opened.status, opened.body.slice(0, 300)).toBe(200);
    expect(opened.body).toContain('phpMyAdmin');
    expect(opened.body).toContain(db.body.name);
    expect(opened.body).not.toContain('otherwp_secret');
    const reused = await new HttpsSession(panel.httpsPort, panel.caRoot).request('GET', link.body.url, {
      follow: true,
    });
    expect(reused.status).toBe(403);
    // Without a link: phpMyAdmin's own login, never an open door.
    const direct = await new HttpsSession(panel.httpsPort, panel.caRoot).request(
      'GET',
      `https://${DB_HOST}:${panel.httpsPort}/phpmyadmin/`,
      {
        follow: true,
      },
    );
    expect(direct.body).toMatch(/input[^>]+name="pma_password"/);
  }, 120_000);
});

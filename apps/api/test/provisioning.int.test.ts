import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observe } from '@berth/runtime';
import { request } from 'undici';
import { PanelProcess } from './panel-process.js';

/**
 * Provisioning end to end: the built panel as its own process, the real Docker engine, the real managed
 * Caddy, real SQLite; the HTTP API is the only client. Hostnames under .test get Caddy's internal CA,
 * which every HTTPS request here verifies.
 */

interface Site {
  id: string;
  name: string;
  status: string;
  statusMessage: string | null;
  runtime: { kind: string; version: string };
}

const PHP_VERSION_PAGE = '<?php echo "PHP_VERSION=" . PHP_VERSION;';

describe('provisioning: API call → live HTTPS site', () => {
  let panel: PanelProcess;
  let tenantId: string;
  const sites: Record<string, Site> = {};
  const domainIds: Record<string, string> = {};

  const site = async (id: string) => (await panel.api<Site>('GET', `/sites/${id}`)).body;
  const waitLive = (id: string, timeoutMs = 90_000) =>
    panel.waitFor(
      `site ${id} live`,
      async () => {
        const s = await site(id);
        if (s.status === 'failed') throw new Error(`site failed: ${s.statusMessage}`);
        return s.status === 'live' ? s : undefined;
      },
      timeoutMs,
    );
  const versionOf = async (host: string) => {
    const res = await panel.https(host, '/version.php');
    return res.status === 200 ? /PHP_VERSION=(\d+\.\d+)/.exec(res.body)?.[1] : undefined;
  };

  beforeAll(async () => {
    panel = await PanelProcess.start();
    const t = await panel.api<{ id: string }>('POST', '/tenants', {
      slug: 'acme',
      name: 'Acme',
      owner: { email: 'owner@acme.test', password: 'owner-password-123' },
    });
    expect(t.status).toBe(201);
    tenantId = t.body.id;
  });

  afterAll(async () => {
    await panel?.stop();
  });

  it('serves three PHP sites on 7.4, 8.2 and 8.4 over verified HTTPS, each with its own version', async () => {
    for (const version of ['7.4', '8.2', '8.4']) {
      const name = `php${version.replace('.', '')}`;
      const created = await panel.api<Site>('POST', '/sites', { tenantId, name, runtime: { kind: 'php', version } });
      expect(created.status).toBe(201);
      expect(created.body.status).toBe('pending');
      sites[version] = created.body;
      const domain = await panel.api<{ id: string; tls: string }>('POST', `/sites/${created.body.id}/domains`, {
        hostname: `${name}.acme.test`,
      });
      expect(domain.status).toBe(201);
      expect(domain.body.tls).toBe('internal');
      domainIds[version] = domain.body.id;
    }
    for (const [version, s] of Object.entries(sites)) {
      await waitLive(s.id);
      const up = await panel.api('PUT', `/sites/${s.id}/files/version.php`, undefined, { raw: PHP_VERSION_PAGE });
      expect(up.status).toBe(201);
      const host = `php${version.replace('.', '')}.acme.test`;
      expect(await panel.waitFor(`${host} answering`, () => versionOf(host), 30_000)).toBe(version);
      // The default page names the version too, and dotfiles are never served.
      expect((await panel.https(host, '/')).body).toContain(`This site runs PHP ${version}.`);
      expect((await panel.https(host, '/.env')).status).toBe(404);
    }
    // Every step is an event.
    const events = await panel.api<{ items: { action: string }[] }>('GET', `/events?tenantId=${tenantId}&limit=200`);
    const actions = events.body.items.map((e) => e.action);
    for (const a of [
      'site.create',
      'domain.create',
      'site.provisioning',
      'site.live',
      'tenant.runtime-ensure',
      'file.upload',
    ])
      expect(actions).toContain(a);
    // The certificate status the API reports is what the edge serves.
    const cert = await panel.waitFor(
      'certificate status',
      async () => {
        const res = await panel.api<{ issuer: string | null; notAfter: string | null; error: string | null }>(
          'GET',
          `/domains/${domainIds['8.2']}/certificate`,
        );
        return res.body.issuer ? res.body : undefined;
      },
      60_000,
    );
    expect(cert.issuer).toMatch(/Caddy Local Authority/);
    expect(cert.error).toBeNull();
    expect(new Date(cert.notAfter!).getTime()).toBeGreaterThan(Date.now());
    // HTTP redirects to HTTPS.
    const plain = await request(`http://127.0.0.1:${panel.httpPort}/page?x=1`, {
      headers: { host: 'php82.acme.test' },
    });
    await plain.body.dump();
    expect(plain.statusCode).toBe(308);
    expect(plain.headers.location).toBe(`https://php82.acme.test:${panel.httpsPort}/page?x=1`);
  });

  it('switches 7.4 → 8.4 while a client loops on the site: zero failed requests, new version served', async () => {
    const host = 'php74.acme.test';
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const loop = (async () => {
      while (!stop) {
        try {
          const res = await panel.https(host, '/version.php');
          if (res.status === 200) ok++;
          else failures.push(`HTTP ${res.status}`);
        } catch (err) {
          failures.push(String(err));
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const patched = await panel.api<Site>('PATCH', `/sites/${sites['7.4']!.id}`, {
      runtime: { kind: 'php', version: '8.4' },
    });
    expect(patched.status).toBe(200);
    await panel.waitFor('new version served', async () => (await versionOf(host)) === '8.4', 60_000);
    await waitLive(sites['7.4']!.id);
    await new Promise((r) => setTimeout(r, 2_500)); // past the old backend's removal
    stop = true;
    await loop;
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(20);
    const containers = (await observe(panel.driver(), { tenantId })).containers.map((c) => c.component).sort();
    expect(containers).toEqual(['php-8.2', 'php-8.4', 'webserver']);
  });

  it('puts Varnish in front on the tenant pool network, purges it, and takes it out again', async () => {
    // Tenant bridges come from the panel's pool with an explicit subnet; Varnish's purge ACL needs their gateway.
    expect((await panel.api('PATCH', `/tenants/${tenantId}`, { varnishEnabled: true })).status).toBe(200);
    await waitLive(sites['8.2']!.id);
    const cached = await panel.waitFor(
      'served through Varnish',
      async () => {
        const res = await panel.https('php82.acme.test', '/version.php');
        return res.status === 200 && res.headers['x-cache'] !== undefined ? res : undefined;
      },
      60_000,
    );
    expect(cached.body).toContain('PHP_VERSION=8.2');
    expect((await panel.api('POST', `/sites/${sites['8.2']!.id}/cache/purge`, {})).status).toBe(200);
    expect((await panel.api('PATCH', `/tenants/${tenantId}`, { varnishEnabled: false })).status).toBe(200);
    await panel.waitFor(
      'Varnish gone',
      async () => !(await observe(panel.driver(), { tenantId })).containers.some((c) => c.component === 'varnish'),
      60_000,
    );
    await panel.waitFor(
      'served without Varnish',
      async () => {
        const res = await panel.https('php82.acme.test', '/version.php');
        return res.status === 200 && res.headers['x-cache'] === undefined ? true : undefined;
      },
      60_000,
    );
  });

  it('suspends (suspended page over valid TLS, containers gone, files kept) and unsuspends', async () => {
    expect((await panel.api('POST', `/tenants/${tenantId}/suspend`)).status).toBe(200);
    await panel.waitFor('suspended page', async () => {
      const res = await panel.https('php82.acme.test', '/');
      return res.status === 503 && /suspended/i.test(res.body);
    });
    await panel.waitFor(
      'containers stopped',
      async () => (await observe(panel.driver(), { tenantId })).containers.length === 0,
    );
    await panel.waitFor('site marked suspended', async () => (await site(sites['8.2']!.id)).status === 'suspended');
    expect((await panel.api('POST', `/tenants/${tenantId}/unsuspend`)).status).toBe(200);
    await waitLive(sites['8.2']!.id);
    expect(await panel.waitFor('site back', () => versionOf('php82.acme.test'), 60_000)).toBe('8.2');
  });

  it('comes back by itself after Caddy restarts empty', async () => {
    const driver = panel.driver();
    const edge = (
      await driver.docker.listContainers({
        filters: { label: [`berth.managed=${driver.instance}`, 'berth.role=edge'] },
      })
    )[0]!;
    await driver.docker.getContainer(edge.Id).restart({ t: 1 });
    expect(await panel.waitFor('routes re-pushed', () => versionOf('php82.acme.test'), 30_000)).toBe('8.2');
  });

  it('deletes a site and terminates the tenant leaving nothing behind (Docker by labels, Caddy routes)', async () => {
    expect((await panel.api('DELETE', `/sites/${sites['8.2']!.id}`)).status).toBe(200);
    await panel.waitFor(
      '8.2 container gone',
      async () => !(await observe(panel.driver(), { tenantId })).containers.some((c) => c.component === 'php-8.2'),
    );
    await panel.waitFor(
      'route gone',
      async () => (await panel.https('php82.acme.test', '/').catch(() => ({ status: 0 }))).status !== 200,
    );
    expect((await panel.api('DELETE', `/tenants/${tenantId}`)).status).toBe(200);
    await panel.waitFor('tenant gone from Docker', async () => {
      const seen = await observe(panel.driver(), { tenantId });
      return seen.containers.length === 0 && seen.networks.length === 0 && seen.volumes.length === 0;
    });
    // The edge no longer knows any of the hostnames: the TLS handshake fails or the catch-all answers 404.
    await panel.waitFor('hostnames gone from the edge', async () => {
      const res = await panel.https('php84.acme.test', '/').catch(() => ({ status: 0, body: '' }));
      return res.status !== 200;
    });
    const fs = await import('node:fs');
    await panel.waitFor('tenant files deleted', async () => !fs.existsSync(`${panel.dataDir}/tenants/${tenantId}`));
  });
});

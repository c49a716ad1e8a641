import fs from 'node:fs';
import path from 'node:path';
import { CaddyAdminClient } from '@berth/caddy';
import { EDGE_OWNER, edgePaths, expectedComponents, observe, tenantsRoot } from '@berth/runtime';
import { expectedPage, type Model, type World } from './steps.js';

/** A visitor's request gets this long: a hung one is a failed check, retried half a second later (it also bounds how coarse the convergence figures are). */
const CHECK_TIMEOUT_MS = 3_000;

/**
 * checkOnce compares reality with the model and lists every difference (empty: all invariants hold):
 *  1. the API: exactly the model's tenants and sites; an active tenant's sites are `live`, a suspended
 *     tenant's `suspended`;
 *  2. visitors: every live site serves its own page through Caddy over HTTPS (the PHP version it was
 *     switched to, the file last uploaded), through Varnish exactly when it is on, a suspended tenant's hostnames show the suspended page, and a
 *     removed hostname serves nothing;
 *  3. Docker: an active tenant has exactly its expected containers, all running, on one network; a
 *     suspended or removed tenant has none; nothing belongs to a tenant the model does not have; the edge runs;
 *  4. Caddy's host table holds exactly the model's hostnames;
 *  5. disk: a tenant directory per tenant, and an active tenant's sites/ holds exactly its sites.
 */
export async function checkOnce(m: Model, world: World): Promise<string[]> {
  const problems: string[] = [];
  const { panel } = world;

  // 1. What the API says.
  const tenants = await panel.api<{ items: { id: string; status: string }[] }>('GET', '/tenants?limit=500');
  const sites = await panel.api<{
    items: { id: string; tenantId: string; status: string; statusMessage: string | null; name: string }[];
  }>('GET', '/sites?limit=500');
  if (tenants.status !== 200 || sites.status !== 200)
    return [`API: GET /tenants ${tenants.status}, GET /sites ${sites.status}`];
  const apiTenants = new Map(tenants.body.items.map((t) => [t.id, t]));
  const apiSites = new Map(sites.body.items.map((s) => [s.id, s]));
  for (const t of m.tenants) {
    const row = apiTenants.get(t.id);
    if (!row) problems.push(`API: tenant ${t.slug} is missing`);
    else if (row.status !== t.status) problems.push(`API: tenant ${t.slug} is ${row.status}, expected ${t.status}`);
    for (const s of t.sites) {
      const site = apiSites.get(s.id);
      const expected = t.status === 'active' ? 'live' : 'suspended';
      if (!site) problems.push(`API: site ${s.name} of ${t.slug} is missing`);
      else if (site.status !== expected)
        problems.push(
          `API: site ${s.name} of ${t.slug} is ${site.status} (${site.statusMessage ?? 'no message'}), expected ${expected}`,
        );
    }
  }
  const wantedTenants = new Set(m.tenants.map((t) => t.id));
  const wantedSites = new Set(m.tenants.flatMap((t) => t.sites.map((s) => s.id)));
  for (const id of apiTenants.keys())
    if (!wantedTenants.has(id)) problems.push(`API: tenant ${id} exists but was terminated`);
  for (const id of apiSites.keys()) if (!wantedSites.has(id)) problems.push(`API: site ${id} exists but was deleted`);

  // 2. What visitors get.
  for (const t of m.tenants) {
    for (const s of t.sites) {
      for (const host of s.domains) {
        try {
          if (t.status === 'suspended') {
            const res = await panel.https(host, '/', CHECK_TIMEOUT_MS);
            if (res.status !== 503 || !/suspended/i.test(res.body))
              problems.push(`edge: ${host} of suspended ${t.slug} answers ${res.status}, not the suspended page`);
            continue;
          }
          const page = expectedPage(s);
          // A query string of its own per check: a cached copy in Varnish must not hide what the site serves now.
          const res = await panel.https(host, `${page.path}?chaos=${Date.now()}`, CHECK_TIMEOUT_MS);
          if (res.status !== 200 || !res.body.includes(page.contains)) {
            problems.push(
              `edge: ${host}${page.path} answers ${res.status} "${res.body.slice(0, 80).replace(/\s+/g, ' ')}", expected "${page.contains}"`,
            );
          } else if ((res.headers['x-cache'] !== undefined) !== t.varnish) {
            // Varnish marks what it delivers (X-Cache: HIT/MISS): on means visitors go through it, off means they do not.
            problems.push(
              `edge: ${host} is ${t.varnish ? 'not ' : ''}served through Varnish, which is ${t.varnish ? 'on' : 'off'}`,
            );
          }
        } catch (err) {
          problems.push(`edge: ${host}: ${String(err)}`);
        }
      }
    }
  }
  for (const host of m.retiredHosts) {
    const res = await panel.https(host, '/', CHECK_TIMEOUT_MS).catch(() => undefined);
    if (res && res.status === 200) problems.push(`edge: removed hostname ${host} still answers 200`);
  }

  // 3. Docker.
  const driver = panel.driver();
  const seen = await observe(driver);
  const byTenant = new Map<string, typeof seen.containers>();
  for (const c of seen.containers) byTenant.set(c.tenantId, [...(byTenant.get(c.tenantId) ?? []), c]);
  for (const t of m.tenants) {
    const containers = byTenant.get(t.id) ?? [];
    const networks = seen.networks.filter((n) => n.tenantId === t.id);
    if (t.status === 'suspended') {
      if (containers.length > 0)
        problems.push(`docker: suspended ${t.slug} still has ${containers.map((c) => c.component).join(', ')}`);
      continue;
    }
    const expected = expectedComponents({
      varnish: t.varnish,
      sites: t.sites.map((s) => ({ siteId: s.id, kind: s.kind, version: s.version })),
    }).sort();
    const actual = containers.map((c) => c.component).sort();
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      problems.push(`docker: ${t.slug} has [${actual.join(', ')}], expected [${expected.join(', ')}]`);
    for (const c of containers.filter((x) => !x.running)) problems.push(`docker: ${c.name} is ${c.state}`);
    const webserver = containers.find((c) => c.component === 'webserver');
    if (webserver && !webserver.image.includes(`/${t.webserver}:`))
      problems.push(`docker: ${t.slug}'s webserver runs ${webserver.image}, expected ${t.webserver}`);
    if (networks.length !== 1) problems.push(`docker: ${t.slug} has ${networks.length} networks`);
    else if (!networks[0]!.gateway) problems.push(`docker: the network of ${t.slug} has no gateway`);
  }
  const known = new Set([...wantedTenants, EDGE_OWNER]);
  for (const c of seen.containers)
    if (!known.has(c.tenantId)) problems.push(`docker: container ${c.name} of a removed tenant`);
  for (const n of seen.networks)
    if (!known.has(n.tenantId)) problems.push(`docker: network ${n.name} of a removed tenant`);
  const edge = seen.containers.filter((c) => c.tenantId === EDGE_OWNER);
  if (edge.length !== 1 || !edge[0]!.running)
    problems.push(`docker: the edge is ${edge.map((c) => c.state).join(', ') || 'missing'}`);

  // 4. Caddy's host table.
  const client = new CaddyAdminClient({
    address: { socketPath: edgePaths(path.join(panel.dataDir, 'caddy')).adminSocket },
  });
  try {
    const { hosts } = await client.listHosts();
    const actual = new Set(hosts.map((h) => h.host));
    const expected = new Set(m.tenants.flatMap((t) => t.sites.flatMap((s) => s.domains)));
    for (const h of expected) if (!actual.has(h)) problems.push(`caddy: ${h} is not in the host table`);
    for (const h of actual) if (!expected.has(h)) problems.push(`caddy: ${h} is in the host table but not wanted`);
  } catch (err) {
    problems.push(`caddy: host table unreadable: ${String(err)}`);
  } finally {
    await client.close();
  }

  // 5. Disk.
  const root = tenantsRoot(panel.dataDir);
  const dirs = fs.existsSync(root) ? fs.readdirSync(root) : [];
  for (const d of dirs) if (!wantedTenants.has(d)) problems.push(`disk: tenants/${d} belongs to no tenant`);
  for (const t of m.tenants) {
    if (!dirs.includes(t.id)) {
      problems.push(`disk: tenants/${t.id} (${t.slug}) is missing`);
      continue;
    }
    if (t.status !== 'active') continue;
    const sitesDir = path.join(root, t.id, 'sites');
    const present = (fs.existsSync(sitesDir) ? fs.readdirSync(sitesDir) : []).filter((n) => n !== 'lost+found').sort();
    const expected = t.sites.map((s) => s.id).sort();
    if (JSON.stringify(present) !== JSON.stringify(expected))
      problems.push(`disk: ${t.slug}/sites holds [${present.join(', ')}], expected [${expected.join(', ')}]`);
  }
  return problems;
}

/**
 * converge waits (bounded) until every invariant holds, checking twice a second; it returns how long that
 * took, or the violations still standing at the deadline.
 */
export async function converge(
  m: Model,
  world: World,
  timeoutMs: number,
): Promise<{ ms: number; violations: string[] }> {
  const started = Date.now();
  let last: string[] = [];
  for (;;) {
    try {
      last = await checkOnce(m, world);
    } catch (err) {
      last = [`checker: ${String(err)}`];
    }
    if (last.length === 0) return { ms: Date.now() - started, violations: [] };
    if (Date.now() - started > timeoutMs) return { ms: Date.now() - started, violations: last };
    await new Promise((r) => setTimeout(r, 500));
  }
}

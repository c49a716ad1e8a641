import { edgeContainerName, observe } from '@berth/runtime';
import { restartDockerEngine } from '../docker-engine.js';
import type { PanelProcess } from '../panel-process.js';

/**
 * The chaos test's vocabulary: a Step is one thing a user or the world does, as plain JSON, so a failing
 * sequence prints as a list anyone can replay (regressions/*.json). Steps name tenants, sites and domains
 * by their position in the model at the time they run (`tenant: 1` = the second tenant, modulo how many
 * there are), never by generated ids, so the same list replays the same way on a fresh panel.
 */
export type Step =
  | { op: 'createTenant'; webserver: 'nginx' | 'apache'; varnish: boolean }
  | { op: 'terminateTenant'; tenant: number }
  | { op: 'suspend'; tenant: number }
  | { op: 'unsuspend'; tenant: number }
  | { op: 'changePlan'; tenant: number }
  | { op: 'setVarnish'; tenant: number; on: boolean }
  | { op: 'setWebserver'; tenant: number; webserver: 'nginx' | 'apache' }
  | { op: 'purge'; tenant: number }
  | { op: 'createSite'; tenant: number; kind: SiteKind; version: string }
  | { op: 'deleteSite'; tenant: number; site: number }
  | { op: 'switchPhp'; tenant: number; site: number; version: string }
  | { op: 'addDomain'; tenant: number; site: number }
  | { op: 'removeDomain'; tenant: number; site: number }
  | { op: 'upload'; tenant: number; site: number }
  // Faults: the world misbehaving.
  | { op: 'killPanel' }
  | { op: 'restartEngine' }
  | { op: 'killEdge' }
  // `container` picks among the tenant's running containers; `component` (regressions) names them instead
  // (comma-separated: all of them at once).
  | { op: 'killContainer'; tenant: number; container: number; component?: string }
  | { op: 'removeContainer'; tenant: number; container: number; component?: string }
  | { op: 'removeNetwork'; tenant: number };

export type SiteKind = 'php' | 'static' | 'node';
export const FAULTS = new Set<Step['op']>([
  'killPanel',
  'restartEngine',
  'killEdge',
  'killContainer',
  'removeContainer',
  'removeNetwork',
]);
export const PHP_VERSIONS = ['7.4', '8.2', '8.4'] as const;
export const VERSIONS: Record<SiteKind, readonly string[]> = { php: PHP_VERSIONS, static: ['1'], node: ['20'] };

export interface MSite {
  id: string;
  name: string;
  kind: SiteKind;
  version: string;
  domains: string[];
  /** What the site's chaos page must say (PHP and static sites; Node.js sites serve their starter app). */
  marker: string;
}

export interface MTenant {
  id: string;
  slug: string;
  status: 'active' | 'suspended';
  webserver: 'nginx' | 'apache';
  varnish: boolean;
  plan: 'small' | 'large';
  sites: MSite[];
}

/** Model is what the database should want after the steps so far: the checker compares reality with it. */
export interface Model {
  prefix: string;
  counter: number;
  tenants: MTenant[];
  /** Hostnames that were removed (with a domain, site or tenant): the edge must no longer serve them. */
  retiredHosts: string[];
}

/** World is the real system under test: the panel (as a process), its Docker engine and its edge. */
export interface World {
  panel: PanelProcess;
  plans: { small: string; large: string };
  /** Hostnames' convergence is waited for this long after a step (a fault gets `faultConvergeMs`). */
  convergeMs: number;
  faultConvergeMs: number;
}

export const MAX_TENANTS = 3;
export const MAX_SITES = 3;
export const MAX_DOMAINS_PER_SITE = 2;

export function emptyModel(prefix: string): Model {
  return { prefix, counter: 0, tenants: [], retiredHosts: [] };
}

const pick = <T>(list: readonly T[], index: number): T | undefined =>
  list.length === 0 ? undefined : list[index % list.length];

export function tenantOf(m: Model, index: number): MTenant | undefined {
  return pick(m.tenants, index);
}

export function activeTenantOf(m: Model, index: number): MTenant | undefined {
  return pick(
    m.tenants.filter((t) => t.status === 'active'),
    index,
  );
}

function siteOf(
  m: Model,
  step: { tenant: number; site: number },
  filter: (s: MSite) => boolean = () => true,
): { tenant: MTenant; site: MSite } | undefined {
  const tenant = pick(
    m.tenants.filter((t) => t.status === 'active' && t.sites.some(filter)),
    step.tenant,
  );
  const site = tenant ? pick(tenant.sites.filter(filter), step.site) : undefined;
  return tenant && site ? { tenant, site } : undefined;
}

/** canApply is the step's precondition on the model (fast-check skips steps that do not apply). */
export function canApply(step: Step, m: Model): boolean {
  switch (step.op) {
    case 'createTenant':
      return m.tenants.length < MAX_TENANTS;
    case 'terminateTenant':
    case 'suspend':
    case 'changePlan':
      return m.tenants.length > 0 && (step.op !== 'suspend' || m.tenants.some((t) => t.status === 'active'));
    case 'unsuspend':
      return m.tenants.some((t) => t.status === 'suspended');
    case 'setVarnish':
    case 'setWebserver':
    case 'removeNetwork':
    case 'killContainer':
    case 'removeContainer':
      return m.tenants.some((t) => t.status === 'active');
    case 'purge':
      return m.tenants.some((t) => t.status === 'active' && t.varnish && t.sites.some((s) => s.domains.length > 0));
    case 'createSite':
      return m.tenants.some((t) => t.status === 'active' && t.sites.length < MAX_SITES);
    case 'deleteSite':
    case 'addDomain':
    case 'removeDomain':
      return siteOf(m, { tenant: 0, site: 0 }) !== undefined;
    case 'switchPhp':
      return siteOf(m, { tenant: 0, site: 0 }, (s) => s.kind === 'php') !== undefined;
    case 'upload':
      return siteOf(m, { tenant: 0, site: 0 }, (s) => s.kind !== 'node') !== undefined;
    default:
      return true;
  }
}

/** Refused is an API answer the model did not expect (or a 5xx): the step fails at once. */
export class StepRefused extends Error {}

async function expectOk<T>(
  what: string,
  res: { status: number; body: T; text: string },
  ok = [200, 201, 204],
): Promise<T> {
  if (!ok.includes(res.status)) throw new StepRefused(`${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return res.body;
}

function chaosPage(site: MSite): { file: string; body: string } | undefined {
  if (site.kind === 'php')
    return {
      file: 'chaos.php',
      body: `<?php echo "chaos ${site.marker} php=" . PHP_MAJOR_VERSION . "." . PHP_MINOR_VERSION;\n`,
    };
  if (site.kind === 'static') return { file: 'chaos.html', body: `chaos ${site.marker}\n` };
  return undefined;
}

/** chaosPath is the page the checker fetches for a site, and what it must contain. */
export function expectedPage(site: MSite): { path: string; contains: string } {
  if (site.kind === 'php') return { path: '/chaos.php', contains: `chaos ${site.marker} php=${site.version}` };
  if (site.kind === 'static') return { path: '/chaos.html', contains: `chaos ${site.marker}` };
  return { path: '/', contains: 'Hello from Node.js' };
}

async function uploadMarker(world: World, site: MSite): Promise<void> {
  const page = chaosPage(site);
  if (!page) return;
  await expectOk(
    `upload ${page.file}`,
    await world.panel.api('PUT', `/sites/${site.id}/files/${page.file}`, undefined, { raw: page.body }),
  );
}

function nextName(m: Model, what: string): string {
  m.counter++;
  return `${m.prefix}${what}${m.counter}`;
}

/**
 * applyStep does one step against the real panel (over its HTTP API, or to the world for faults) and
 * updates the model with what the database now wants. A step the model says is fine but the API refuses
 * throws StepRefused: that is a finding too.
 */
export async function applyStep(step: Step, m: Model, world: World): Promise<void> {
  const { panel } = world;
  switch (step.op) {
    case 'createTenant': {
      const slug = nextName(m, 't');
      const body = await expectOk(
        'create tenant',
        await panel.api<{ id: string }>('POST', '/tenants', {
          slug,
          name: `Chaos ${slug}`,
          planId: world.plans.small,
          owner: { email: `${slug}@chaos.test`, password: 'chaos-password-123' },
        }),
        [201],
      );
      const tenant: MTenant = {
        id: body.id,
        slug,
        status: 'active',
        webserver: 'nginx',
        varnish: false,
        plan: 'small',
        sites: [],
      };
      m.tenants.push(tenant);
      if (step.webserver !== 'nginx' || step.varnish) {
        await expectOk(
          'configure tenant',
          await panel.api('PATCH', `/tenants/${tenant.id}`, {
            webserver: step.webserver,
            varnishEnabled: step.varnish,
          }),
        );
        tenant.webserver = step.webserver;
        tenant.varnish = step.varnish;
      }
      return;
    }
    case 'terminateTenant': {
      const t = tenantOf(m, step.tenant)!;
      await expectOk('terminate tenant', await panel.api('DELETE', `/tenants/${t.id}`));
      m.tenants = m.tenants.filter((x) => x !== t);
      m.retiredHosts.push(...t.sites.flatMap((s) => s.domains));
      return;
    }
    case 'suspend': {
      const t = activeTenantOf(m, step.tenant)!;
      await expectOk('suspend', await panel.api('POST', `/tenants/${t.id}/suspend`));
      t.status = 'suspended';
      return;
    }
    case 'unsuspend': {
      const t = pick(
        m.tenants.filter((x) => x.status === 'suspended'),
        step.tenant,
      )!;
      await expectOk('unsuspend', await panel.api('POST', `/tenants/${t.id}/unsuspend`));
      t.status = 'active';
      return;
    }
    case 'changePlan': {
      const t = tenantOf(m, step.tenant)!;
      const plan = t.plan === 'small' ? 'large' : 'small';
      if (t.status === 'suspended') {
        // A suspended tenant's changes are refused (the account is frozen); the model stays as it was.
        await expectOk(
          'plan change of a suspended tenant',
          await panel.api('PATCH', `/tenants/${t.id}`, { planId: world.plans[plan] }),
          [200, 409],
        );
        const now = await panel.api<{ planId: string }>('GET', `/tenants/${t.id}`);
        if (now.body.planId === world.plans[plan]) t.plan = plan;
        return;
      }
      await expectOk('plan change', await panel.api('PATCH', `/tenants/${t.id}`, { planId: world.plans[plan] }));
      t.plan = plan;
      return;
    }
    case 'setVarnish': {
      const t = activeTenantOf(m, step.tenant)!;
      await expectOk('varnish toggle', await panel.api('PATCH', `/tenants/${t.id}`, { varnishEnabled: step.on }));
      t.varnish = step.on;
      return;
    }
    case 'setWebserver': {
      const t = activeTenantOf(m, step.tenant)!;
      await expectOk('webserver switch', await panel.api('PATCH', `/tenants/${t.id}`, { webserver: step.webserver }));
      t.webserver = step.webserver;
      return;
    }
    case 'purge': {
      const t = pick(
        m.tenants.filter((x) => x.status === 'active' && x.varnish && x.sites.some((s) => s.domains.length > 0)),
        step.tenant,
      )!;
      const site = t.sites.find((s) => s.domains.length > 0)!;
      await expectOk('purge', await panel.api('POST', `/sites/${site.id}/cache/purge`, {}));
      return;
    }
    case 'createSite': {
      const t = pick(
        m.tenants.filter((x) => x.status === 'active' && x.sites.length < MAX_SITES),
        step.tenant,
      )!;
      const name = nextName(m, 's');
      const runtime = { kind: step.kind, version: step.version };
      const body = await expectOk(
        'create site',
        await panel.api<{ id: string }>('POST', '/sites', { tenantId: t.id, name, runtime }),
        [201],
      );
      const hostname = `${name}.${t.slug}.chaos.test`;
      const site: MSite = {
        id: body.id,
        name,
        kind: step.kind,
        version: step.kind === 'php' ? step.version : VERSIONS[step.kind][0]!,
        domains: [],
        marker: `${name}-0`,
      };
      t.sites.push(site);
      await expectOk('add domain', await panel.api('POST', `/sites/${site.id}/domains`, { hostname }), [201]);
      site.domains.push(hostname);
      await uploadMarker(world, site);
      return;
    }
    case 'deleteSite': {
      const { tenant, site } = siteOf(m, step)!;
      await expectOk('delete site', await panel.api('DELETE', `/sites/${site.id}`));
      tenant.sites = tenant.sites.filter((s) => s !== site);
      m.retiredHosts.push(...site.domains);
      return;
    }
    case 'switchPhp': {
      const { site } = siteOf(m, step, (s) => s.kind === 'php')!;
      await expectOk(
        'switch PHP',
        await panel.api('PATCH', `/sites/${site.id}`, { runtime: { kind: 'php', version: step.version } }),
      );
      site.version = step.version;
      return;
    }
    case 'addDomain': {
      const { tenant, site } = siteOf(m, step)!;
      if (site.domains.length >= MAX_DOMAINS_PER_SITE) return;
      const hostname = `${nextName(m, 'd')}.${tenant.slug}.chaos.test`;
      await expectOk('add domain', await panel.api('POST', `/sites/${site.id}/domains`, { hostname }), [201]);
      site.domains.push(hostname);
      m.retiredHosts = m.retiredHosts.filter((h) => h !== hostname);
      return;
    }
    case 'removeDomain': {
      const { site } = siteOf(m, step)!;
      const hostname = site.domains.at(-1);
      if (!hostname) return;
      const list = await panel.api<{ items: { id: string; hostname: string }[] }>('GET', `/sites/${site.id}/domains`);
      const domain = list.body.items.find((d) => d.hostname === hostname);
      if (!domain) throw new StepRefused(`domain ${hostname} is missing from GET /sites/${site.id}/domains`);
      await expectOk('remove domain', await panel.api('DELETE', `/domains/${domain.id}`));
      site.domains.pop();
      m.retiredHosts.push(hostname);
      return;
    }
    case 'upload': {
      const { site } = siteOf(m, step, (s) => s.kind !== 'node')!;
      site.marker = `${site.name}-${++m.counter}`;
      await uploadMarker(world, site);
      return;
    }
    case 'killPanel':
      await panel.kill('SIGKILL');
      await panel.spawn();
      return;
    case 'restartEngine':
      await restartDockerEngine();
      return;
    case 'killEdge':
      await panel
        .driver()
        .docker.getContainer(edgeContainerName(panel.driver()))
        .kill()
        .catch(() => undefined);
      return;
    case 'killContainer':
    case 'removeContainer': {
      const t = activeTenantOf(m, step.tenant)!;
      const driver = panel.driver();
      const containers = (await observe(driver, { tenantId: t.id })).containers.filter((c) => c.running);
      const victims = step.component
        ? containers.filter((c) => step.component!.split(',').includes(c.component))
        : [pick(containers, step.container)].filter((c) => c !== undefined);
      await Promise.all(
        victims.map((victim) => {
          const container = driver.docker.getContainer(victim.id);
          return (step.op === 'killContainer' ? container.kill() : container.remove({ force: true })).catch(
            () => undefined,
          );
        }),
      );
      return;
    }
    case 'removeNetwork': {
      const t = activeTenantOf(m, step.tenant)!;
      const driver = panel.driver();
      const seen = await observe(driver, { tenantId: t.id });
      for (const net of seen.networks.filter((n) => n.tenantId === t.id)) {
        const network = driver.docker.getNetwork(net.id);
        for (const c of seen.containers)
          await network.disconnect({ Container: c.id, Force: true }).catch(() => undefined);
        await network.remove().catch(() => undefined);
      }
      return;
    }
  }
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Runtime from '@berth/runtime';
import type { DesiredTenant } from '@berth/reconciler';
import {
  DOCUMENT_ROOT,
  EDGE_OWNER,
  ensureSiteScaffold,
  ensureTenantDisk,
  ensureTenantRuntime,
  observe,
  removeTenant,
  RuntimeError,
  type DockerDriver,
  type EgressConverger,
  type ObservedState,
  type TenantRuntimeSpec,
} from '@berth/runtime';
import { createRuntimeAdapter } from './runtime.adapter.js';

// The runtime adapter against a fake Docker world: the @berth/runtime operations it calls are replaced by a
// small model (networks and containers per tenant, every step logged in order), and the egress converger by
// one that, like the real one, writes rules for the tenant networks that exist when it runs.

vi.mock('@berth/runtime', async (importOriginal) => {
  const actual = await importOriginal<typeof Runtime>();
  return {
    ...actual,
    observe: vi.fn(),
    ensureSiteScaffold: vi.fn(),
    ensureTenantDisk: vi.fn(),
    ensureTenantRuntime: vi.fn(),
    removeTenant: vi.fn(),
  };
});

const MB = 1024 * 1024;
const POOL = '10.123.0.0/16';
const driver = { instance: 'test', dataDir: '/nonexistent', profile: 'local' } as unknown as DockerDriver;

/** The fake world: which tenants have a network and running containers, and everything done, in order. */
const world = {
  log: [] as string[],
  networks: new Set<string>(),
  containers: new Map<string, string[]>(),
  /** The rules the last egress converge wrote: tenant → allow-list, for every tenant network that existed. */
  rules: undefined as Map<string, readonly string[]> | undefined,
};

function fakeEgress(opts: { failConverge?: boolean } = {}): EgressConverger {
  const allow = new Map<string, readonly string[]>();
  return {
    setAllow(tenantId, list) {
      const bad = list.find((entry) => !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}(:\d+)?$/.test(entry));
      if (bad !== undefined)
        throw new RuntimeError(
          'INVALID_INPUT',
          `Egress allow-list entry ${JSON.stringify(bad)} is not CIDR or CIDR:port.`,
        );
      allow.set(tenantId, list);
      world.log.push(`allow ${tenantId} [${list.join(' ')}]`);
    },
    forget(tenantId) {
      allow.delete(tenantId);
      world.log.push(`forget ${tenantId}`);
    },
    async converge() {
      if (opts.failConverge)
        throw new RuntimeError(
          'EGRESS_FAILED',
          'iptables-restore failed (exit 4): Another app is currently holding the xtables lock.',
        );
      world.rules = new Map([...world.networks].map((t) => [t, allow.get(t) ?? []]));
      world.log.push(`egress ${[...world.rules].map(([t, a]) => `${t}=[${a.join(' ')}]`).join(' ')}`);
      return { changed: true, chains: [] };
    },
  };
}

function tenant(over: Partial<DesiredTenant> = {}, plan: Partial<DesiredTenant['plan']> = {}): DesiredTenant {
  return {
    id: 'acme',
    slug: 'acme',
    uid: 200_005,
    status: 'active',
    webserver: 'nginx',
    varnishEnabled: false,
    ports: { web: 20_000, cache: 20_001 },
    plan: {
      cpuMillicores: 1000,
      memoryMb: 512,
      pidsLimit: 256,
      phpMaxMemoryMb: 256,
      phpMaxUploadMb: 64,
      phpMaxExecSeconds: 60,
      ...plan,
    },
    sites: [{ id: 'site-php', name: 'www', kind: 'php', version: '8.4', status: 'pending', settings: {}, domains: [] }],
    ...over,
  };
}

const observedState = (tenantId: string): ObservedState => ({
  containers: (world.containers.get(tenantId) ?? []).map((component, i) => ({
    id: `c${i}`,
    name: `berth-${tenantId}-${component}`,
    tenantId,
    siteId: component.startsWith('app-') ? component.slice(4) : undefined,
    role: 'webserver',
    component,
    spec: 'h',
    image: 'img',
    state: 'running',
    running: true,
    ports: [],
  })),
  networks: world.networks.has(tenantId)
    ? [
        {
          id: `n-${tenantId}`,
          name: `berth-${tenantId}`,
          tenantId,
          gateway: '10.123.0.1',
          subnet: '10.123.0.0/27',
          bridge: 'br-x',
        },
      ]
    : [],
  volumes: [],
});

beforeEach(() => {
  world.log = [];
  world.networks.clear();
  world.containers.clear();
  world.rules = undefined;
  vi.mocked(observe).mockImplementation(async (_ctx, params = {}) => {
    world.log.push(`observe ${params.tenantId ?? '*'}`);
    if (params.tenantId !== undefined) return observedState(params.tenantId);
    const all = new Set([...world.networks, ...world.containers.keys()]);
    const states = [...all].map(observedState);
    return {
      containers: states.flatMap((s) => s.containers),
      networks: states.flatMap((s) => s.networks),
      volumes: [],
    };
  });
  vi.mocked(ensureTenantDisk).mockImplementation(async (_ctx, { tenantId, bytes }) => {
    world.log.push(`disk ${tenantId} ${bytes / MB}MB`);
    return {} as Awaited<ReturnType<typeof ensureTenantDisk>>;
  });
  vi.mocked(ensureSiteScaffold).mockImplementation(async (_ctx, identity, site) => {
    world.log.push(
      `scaffold ${identity.tenantId}/${site.siteId} ${site.kind}${site.version ? ` ${site.version}` : ''}${site.documentRoot ? ` root=${site.documentRoot}` : ''}`,
    );
  });
  // Like the real one: the network first, then `beforeContainers` (nothing starts if it fails), then containers.
  vi.mocked(ensureTenantRuntime).mockImplementation(async (_ctx, spec, options = {}) => {
    const tenantId = spec.tenant.tenantId;
    world.networks.add(tenantId);
    world.log.push(`network ${tenantId}`);
    const network = {
      id: `n-${tenantId}`,
      name: `berth-${tenantId}`,
      gateway: '10.123.0.1',
      subnet: '10.123.0.0/27',
      bridge: 'br-x',
    } as Parameters<NonNullable<typeof options.beforeContainers>>[0];
    await options.beforeContainers?.(network);
    const components = [
      'webserver',
      ...spec.sites.map((s) => (s.kind === 'php' ? `php-${s.version}` : `app-${s.siteId}`)),
    ];
    world.containers.set(tenantId, components);
    world.log.push(`containers ${tenantId}`);
    return {
      network,
      components: Object.fromEntries(
        components.map((c, i) => [c, { id: `c${i}`, action: i === 0 ? 'created' : 'unchanged' }]),
      ),
      removed: [],
    };
  });
  vi.mocked(removeTenant).mockImplementation(async (_ctx, { tenantId, deleteSiteFiles }) => {
    world.containers.delete(tenantId);
    world.networks.delete(tenantId);
    world.log.push(`remove ${tenantId}${deleteSiteFiles ? ' with files' : ''}`);
    return { containers: 0, networks: 1, volumes: 0 };
  });
});

afterEach(() => {
  vi.clearAllMocks();
});

/** lastRuntimeCall is what the adapter last asked ensureTenantRuntime for: the spec and the options. */
const lastRuntimeCall = (): [TenantRuntimeSpec, { observed?: ObservedState; beforeContainers?: unknown }] => {
  const call = vi.mocked(ensureTenantRuntime).mock.lastCall;
  if (!call) throw new Error('ensureTenantRuntime was not called');
  return [call[1], call[2] ?? {}];
};

describe('runtime adapter: egress rules', () => {
  it('puts the tenant’s egress rules in place once its network exists and before any container starts', async () => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL, egress: fakeEgress() });
    await runtime.ensure(tenant({}, { egressAllow: ['203.0.113.0/24:443'] }));
    expect(world.log).toEqual([
      'allow acme [203.0.113.0/24:443]',
      'scaffold acme/site-php php 8.4 root=' + DOCUMENT_ROOT,
      'network acme',
      'egress acme=[203.0.113.0/24:443]',
      'containers acme',
    ]);
  });

  it.each([
    { allow: undefined, rules: [] },
    { allow: [], rules: [] },
    { allow: ['10.0.0.0/8:5432', '198.51.100.7/32'], rules: ['10.0.0.0/8:5432', '198.51.100.7/32'] },
  ])('writes the plan’s allow-list $allow as the tenant’s rules', async ({ allow, rules }) => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL, egress: fakeEgress() });
    await runtime.ensure(tenant({}, allow === undefined ? {} : { egressAllow: allow }));
    expect(world.rules).toEqual(new Map([['acme', rules]]));
  });

  it('takes a changed plan’s allow-list on the next pass', async () => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL, egress: fakeEgress() });
    await runtime.ensure(tenant({}, { egressAllow: ['203.0.113.0/24:443'] }));
    await runtime.ensure(tenant({}, { egressAllow: [] }));
    expect(world.rules).toEqual(new Map([['acme', []]]));
  });

  it('fails the pass before touching anything of the tenant when its plan’s allow-list is refused', async () => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL, egress: fakeEgress() });
    await expect(runtime.ensure(tenant({}, { diskMb: 1024, egressAllow: ['example.com:443'] }))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: /example\.com/,
    });
    expect(world.log).toEqual([]);
  });

  it('starts no container when the egress rules cannot be written, and says why', async () => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL, egress: fakeEgress({ failConverge: true }) });
    await expect(runtime.ensure(tenant())).rejects.toMatchObject({ code: 'EGRESS_FAILED', message: /xtables lock/ });
    expect(world.log.some((l) => l.startsWith('containers'))).toBe(false);
    expect(world.containers.size).toBe(0);
  });

  it('without egress rules (BERTH_EGRESS=off) starts the containers with no egress step', async () => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL });
    await runtime.ensure(tenant({}, { egressAllow: ['203.0.113.0/24:443'] }));
    expect(world.log).toEqual([
      'scaffold acme/site-php php 8.4 root=' + DOCUMENT_ROOT,
      'network acme',
      'containers acme',
    ]);
    expect(lastRuntimeCall()[1].beforeContainers).toBeUndefined();
    await runtime.remove({ tenantId: 'acme', deleteFiles: false });
    expect(world.log.at(-1)).toBe('remove acme');
  });

  it('removes a removed tenant’s rules after its network is gone, and keeps the other tenants’', async () => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL, egress: fakeEgress() });
    await runtime.ensure(tenant({}, { egressAllow: ['203.0.113.0/24:443'] }));
    await runtime.ensure(tenant({ id: 'globex', slug: 'globex', uid: 200_006 }, { egressAllow: ['198.51.100.0/24'] }));
    world.log = [];
    await runtime.remove({ tenantId: 'acme', deleteFiles: true });
    expect(world.log).toEqual(['remove acme with files', 'forget acme', 'egress globex=[198.51.100.0/24]']);
    expect(world.rules).toEqual(new Map([['globex', ['198.51.100.0/24']]]));
  });

  it('keeps the tenant’s rules when its removal fails (the retried pass removes both)', async () => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL, egress: fakeEgress() });
    await runtime.ensure(tenant({}, { egressAllow: ['203.0.113.0/24:443'] }));
    world.log = [];
    vi.mocked(removeTenant).mockRejectedValueOnce(
      new RuntimeError('DOCKER_UNAVAILABLE', 'The Docker engine is not reachable.'),
    );
    await expect(runtime.remove({ tenantId: 'acme', deleteFiles: false })).rejects.toMatchObject({
      code: 'DOCKER_UNAVAILABLE',
    });
    expect(world.log).toEqual([]);
    expect(world.rules).toEqual(new Map([['acme', ['203.0.113.0/24:443']]]));
  });
});

describe('runtime adapter: converging a tenant', () => {
  it('mounts the plan’s disk before writing any site folder, scaffolds every site, and asks for a subnet from the panel’s pool', async () => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL });
    const t = tenant(
      {
        sites: [
          { id: 'site-php', name: 'www', kind: 'php', version: '8.2', status: 'pending', settings: {}, domains: [] },
          {
            id: 'site-static',
            name: 'docs',
            kind: 'static',
            version: '',
            status: 'pending',
            settings: {},
            domains: [],
          },
          { id: 'site-node', name: 'api', kind: 'node', version: '22', status: 'pending', settings: {}, domains: [] },
        ],
      },
      { diskMb: 2048 },
    );
    await runtime.ensure(t);
    expect(world.log.slice(0, 4)).toEqual([
      'disk acme 2048MB',
      `scaffold acme/site-php php 8.2 root=${DOCUMENT_ROOT}`,
      `scaffold acme/site-static static root=${DOCUMENT_ROOT}`,
      'scaffold acme/site-node node 22',
    ]);
    const [spec] = lastRuntimeCall();
    expect(spec.tenant).toEqual({ tenantId: 'acme', uid: 200_005, gid: 200_005 });
    expect(spec.network).toEqual({ pool: POOL, preferredSlot: 5 });
    expect(spec.disk).toEqual({ bytes: 2048 * MB });
  });

  it('leaves the tenant’s disk alone when the plan has none', async () => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL });
    await runtime.ensure(tenant());
    expect(ensureTenantDisk).not.toHaveBeenCalled();
  });

  it('reports what happened to each component', async () => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL });
    expect(await runtime.ensure(tenant())).toEqual({ actions: { webserver: 'created', 'php-8.4': 'unchanged' } });
  });

  it('hands the state a pass observed to that pass’s ensure once, never a stale one', async () => {
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL });
    world.networks.add('acme');
    await runtime.observe('acme');
    const seen = (await vi.mocked(observe).mock.results.at(-1)!.value) as ObservedState;
    await runtime.ensure(tenant());
    expect(lastRuntimeCall()[1].observed).toBe(seen);
    // The next pass did not observe first (or the tenant was removed in between): the runtime reads Docker itself.
    await runtime.ensure(tenant());
    expect(lastRuntimeCall()[1].observed).toBeUndefined();
    await runtime.observe('acme');
    await runtime.remove({ tenantId: 'acme', deleteFiles: false });
    await runtime.ensure(tenant());
    expect(lastRuntimeCall()[1].observed).toBeUndefined();
  });
});

describe('runtime adapter: observing', () => {
  it('shows the reconciler a tenant’s containers and networks', async () => {
    world.networks.add('acme');
    world.containers.set('acme', ['webserver', 'app-site-node']);
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL });
    expect(await runtime.observe('acme')).toEqual({
      containers: [
        { component: 'webserver', running: true, siteId: undefined },
        { component: 'app-site-node', running: true, siteId: 'site-node' },
      ],
      networks: 1,
    });
    expect(await runtime.observe('nobody')).toEqual({ containers: [], networks: 0 });
  });

  it('lists every tenant that owns something in Docker once, network-only tenants included, never the edge', async () => {
    world.networks.add('acme');
    world.containers.set('acme', ['webserver', 'php-8.4']);
    world.networks.add('leftover');
    world.containers.set('crashed', ['webserver']);
    world.containers.set(EDGE_OWNER, ['caddy']);
    const runtime = createRuntimeAdapter({ driver, tenantNetworks: POOL });
    expect((await runtime.observedTenantIds()).sort()).toEqual(['acme', 'crashed', 'leftover']);
  });
});

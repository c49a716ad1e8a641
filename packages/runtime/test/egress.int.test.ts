import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import {
  createEgressConverger,
  egressChainPrefix,
  ensureTenantRuntime,
  execInContainer,
  hostResolvers,
  observe,
  removeEgress,
  removeTenant,
  type DockerDriver,
  type EgressConverger,
  type TenantNetwork,
  type TenantRuntimeSpec,
} from '../src/index.js';
import { BOUNDS, LIMITS, freePort, newDriver, requireImages, uniqueTenantId } from './helpers.js';

// Egress rules against the real kernel: a tenant container probes targets that live only on this machine.
// The test makes a network namespace of its own, joined to the host by a veth pair on 198.18.0.0/30
// (benchmarking range; the host's own interface is in 192.0.2.0/24), puts a link-local, a private, a stand-in
// resolver and a documentation-range address on the namespace's loopback with listeners on 25, 53 and 80,
// and routes those /32s from the host into it. Nothing is sent before `ip route get` says each address leaves
// through the veth. Real DNS resolution is not tried: the host's resolver is outside this machine, so the test
// checks its rule exists and proves the DNS exception on the stand-in resolver instead.

const run = promisify(execFile);
const id = randomBytes(3).toString('hex');
const NS = `berth-egress-${id}`;
const VETH_HOST = `vegh-${id}`;
const VETH_NS = `vegn-${id}`;
const TRANSFER = { host: '198.18.0.1', ns: '198.18.0.2' };
const TARGET = {
  linkLocal: '169.254.77.1',
  private: '10.255.77.1',
  resolver: '10.255.77.53',
  docRange: '203.0.113.77',
} as const;
/** The panel's tenant pool (BERTH_TENANT_NETWORKS default): the private target must not be in it. */
const POOL = { pool: '10.208.0.0/12', preferredSlot: Number.parseInt(id, 16) % 32_768 };
const BANNER = 'berth-probe-ok';

// Answers BANNER on TCP 25, 53 and 80 on every address of the namespace, and on UDP 53 of each target
// address (a UDP socket bound to one address answers from it, as a reply must).
const LISTENER = `
import socket, threading
def tcp(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', port)); s.listen(16)
    while True:
        c, _ = s.accept(); c.sendall(b'${BANNER}\\n'); c.close()
def udp(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(512); s.sendto(b'${BANNER}\\n', peer)
for p in (25, 53, 80): threading.Thread(target=tcp, args=(p,), daemon=True).start()
for a in (${Object.values(TARGET)
  .map((a) => `'${a}'`)
  .join(', ')}): threading.Thread(target=udp, args=(a, 53), daemon=True).start()
print('ready', flush=True)
threading.Event().wait()
`;

let ctx: DockerDriver | undefined;
let cleanupDriver: (() => Promise<void>) | undefined;
let egress: EgressConverger;
let network: TenantNetwork;
/** The host's address on the tenant bridge (read from the kernel: Docker reports no gateway for a subnet it was given). */
let gateway: string;
let webserverId: string;
let foreignId: string | undefined;
let listener: ChildProcess | undefined;
let hostServer: Server | undefined;
let hostPort: number;
let nsCreated = false;
const routesAdded: string[] = [];
const tenantId = uniqueTenantId('te');

async function ip(...args: string[]): Promise<string> {
  return (await run('ip', args)).stdout;
}

async function filterTable(): Promise<string> {
  return (await run('iptables-save', ['-t', 'filter'])).stdout;
}

/** routeDevice is the interface the host would send a packet for `addr` out of. */
async function routeDevice(addr: string): Promise<string> {
  const out = await ip('-4', 'route', 'get', addr);
  return /\bdev (\S+)/.exec(out)?.[1] ?? `(no device in: ${out.trim()})`;
}

/** probe connects from `containerId` to addr:port (bash /dev/tcp or /dev/udp, 3 s) and reports whether the banner came back. */
async function probe(
  addr: string,
  port: number,
  { proto = 'tcp', containerId = webserverId }: { proto?: 'tcp' | 'udp'; containerId?: string } = {},
): Promise<'open' | 'blocked'> {
  // A malformed target would fail to connect and pass for "blocked".
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(addr) || !Number.isInteger(port))
    throw new Error(`bad probe target ${addr}:${port}`);
  const script =
    proto === 'tcp'
      ? `exec 3<>/dev/tcp/${addr}/${port} && head -c ${BANNER.length} <&3`
      : `exec 3<>/dev/udp/${addr}/${port} && printf ping >&3 && head -c ${BANNER.length} <&3`;
  const result = await execInContainer(ctx!, containerId, ['timeout', '3', 'bash', '-c', script], {
    timeoutMs: 15_000,
  });
  return result.exitCode === 0 && result.stdout === BANNER ? 'open' : 'blocked';
}

async function startListener(): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', LISTENER], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the namespace listener did not start within 10 s')), 10_000);
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the namespace listener exited (${code})`)));
  });
  return child;
}

beforeAll(async () => {
  // Before anything: the targets and the transfer net must be unclaimed here (each one routes by the default
  // route, none is a local address) and stay clear of the tenant pool.
  const defaultDev = /\bdev (\S+)/.exec(await ip('-4', 'route', 'show', 'default'))?.[1];
  for (const addr of [...Object.values(TARGET), TRANSFER.ns]) {
    expect(/^10\.(2(0[89]|1\d|2[0-3]))\./.test(addr), `${addr} is in the tenant pool`).toBe(false);
    expect(await routeDevice(addr), `${addr} is already routed somewhere specific on this host`).toBe(defaultDev);
  }

  await ip('netns', 'add', NS);
  nsCreated = true;
  await ip('link', 'add', VETH_HOST, 'type', 'veth', 'peer', 'name', VETH_NS);
  await ip('link', 'set', VETH_NS, 'netns', NS);
  await ip('addr', 'add', `${TRANSFER.host}/30`, 'dev', VETH_HOST);
  await ip('link', 'set', VETH_HOST, 'up');
  await ip('-n', NS, 'addr', 'add', `${TRANSFER.ns}/30`, 'dev', VETH_NS);
  await ip('-n', NS, 'link', 'set', VETH_NS, 'up');
  await ip('-n', NS, 'link', 'set', 'lo', 'up');
  for (const addr of Object.values(TARGET)) {
    await ip('-n', NS, 'addr', 'add', `${addr}/32`, 'dev', 'lo');
    await ip('route', 'add', `${addr}/32`, 'via', TRANSFER.ns, 'dev', VETH_HOST);
    routesAdded.push(addr);
  }
  for (const addr of Object.values(TARGET)) {
    const dev = await routeDevice(addr);
    if (dev !== VETH_HOST)
      throw new Error(`ip route get ${addr} says ${dev}, not ${VETH_HOST}: aborting before sending anything`);
  }
  listener = await startListener();

  let driver: DockerDriver;
  ({ ctx: driver, cleanup: cleanupDriver } = await newDriver());
  ctx = driver;
  await requireImages(driver, [{ role: 'webserver', kind: 'nginx' }]);
  egress = createEgressConverger(driver, { resolvers: [...(await hostResolvers()), TARGET.resolver] });
  const spec: TenantRuntimeSpec = {
    tenant: { tenantId, uid: 20011, gid: 20011 },
    webserver: { kind: 'nginx', port: await freePort(), limits: LIMITS },
    sites: [{ kind: 'static', siteId: 'www', hostnames: ['www.egress.test'], documentRoot: '' }],
    php: { bounds: BOUNDS, limits: LIMITS },
    appLimits: LIMITS,
    limits: LIMITS,
    network: POOL,
  };
  const result = await ensureTenantRuntime(driver, spec, {
    beforeContainers: async () => void (await egress.converge()),
  });
  network = result.network;
  webserverId = result.components.webserver!.id;
  const bridgeAddr = /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(
    await ip('-4', '-o', 'addr', 'show', 'dev', network.bridge),
  )?.[1];
  if (!bridgeAddr) throw new Error(`the tenant bridge ${network.bridge} has no IPv4 address`);
  gateway = bridgeAddr;

  // A listener on the host, on the tenant bridge's gateway address: what "the host's services" look like to a tenant.
  hostPort = await freePort();
  hostServer = createServer((socket) => {
    // The probe closes after reading the banner; the reset that may follow is expected, not a failure.
    socket.on('error', () => undefined);
    socket.end(`${BANNER}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    hostServer!.once('error', reject);
    hostServer!.listen(hostPort, gateway, () => resolve());
  });

  // A container that is not Berth's, on Docker's default bridge: its traffic must pass untouched.
  const foreign = await driver.docker.createContainer({
    Image: 'berth/nginx:1',
    Entrypoint: ['sleep', '600'],
    Labels: { 'berth.test': `egress-${id}` },
    HostConfig: { NetworkMode: 'bridge', CapDrop: ['ALL'] },
  });
  foreignId = foreign.id;
  await foreign.start();
});

afterAll(async () => {
  const problems: unknown[] = [];
  const step = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      problems.push(err);
    }
  };
  if (listener?.pid !== undefined && listener.exitCode === null) {
    const pid = listener.pid;
    await step(async () => {
      process.kill(pid, 'SIGTERM');
      await new Promise((r) => listener!.once('exit', r));
    });
  }
  if (hostServer) await step(() => new Promise<void>((resolve) => hostServer!.close(() => resolve())));
  if (ctx && foreignId) await step(() => ctx!.docker.getContainer(foreignId!).remove({ force: true }));
  if (ctx) {
    await step(() => removeTenant(ctx!, { tenantId, deleteSiteFiles: true }));
    await step(() => removeEgress(ctx!));
  }
  for (const addr of routesAdded)
    await step(() => ip('route', 'del', `${addr}/32`, 'via', TRANSFER.ns, 'dev', VETH_HOST));
  // Deleting the namespace destroys the veth pair with it.
  if (nsCreated) await step(() => ip('netns', 'del', NS));
  await step(async () => cleanupDriver?.());
  if (problems.length > 0) throw new AggregateError(problems, 'egress test cleanup failed');
});

describe('tenant egress rules (real kernel, targets in a namespace of the test)', () => {
  it('names the bridge predictably and puts Berth chains behind one jump each in DOCKER-USER and INPUT', async () => {
    expect(network.bridge).toMatch(/^bt-[0-9a-f]{10}$/);
    const prefix = egressChainPrefix(ctx!.instance);
    const table = await filterTable();
    expect(table.split('\n').filter((l) => l === `-A DOCKER-USER -j ${prefix}EGRESS`)).toHaveLength(1);
    expect(table.split('\n').filter((l) => l === `-A INPUT -j ${prefix}INPUT`)).toHaveLength(1);
    expect(table).toContain(
      `-A ${prefix}EGRESS -i ${network.bridge} -m comment --comment "berth tenant ${tenantId}" -j ${prefix}E`,
    );
    // The resolvers Docker's embedded DNS forwards to (the host's resolv.conf) have their exception: real
    // resolution is not tried because that resolver is not on this machine.
    for (const resolver of await hostResolvers()) {
      expect(table).toMatch(
        new RegExp(
          `-A ${prefix}E[0-9a-f]{10} -d ${resolver.replaceAll('.', '\\.')}/32 -p udp -m udp --dport 53 -j RETURN`,
        ),
      );
    }
  });

  it('denies link-local, private, SMTP and the host through the bridge gateway', async () => {
    expect(await probe(TARGET.linkLocal, 80)).toBe('blocked');
    expect(await probe(TARGET.private, 80)).toBe('blocked');
    expect(await probe(TARGET.docRange, 25)).toBe('blocked');
    expect(await probe(gateway, hostPort)).toBe('blocked');
  });

  it('lets the public web through', async () => {
    expect(await probe(TARGET.docRange, 80)).toBe('open');
  });

  it('lets DNS reach exactly the resolvers', async () => {
    expect(await probe(TARGET.resolver, 53)).toBe('open');
    expect(await probe(TARGET.resolver, 53, { proto: 'udp' })).toBe('open');
    expect(await probe(TARGET.private, 53)).toBe('blocked');
    expect(await probe(TARGET.private, 53, { proto: 'udp' })).toBe('blocked');
  });

  it('has no IPv6 in tenant containers, so IPv4 rules cover every path', async () => {
    const v6 = await execInContainer(ctx!, webserverId, ['cat', '/proc/net/if_inet6']);
    expect(v6.exitCode).toBe(0);
    expect(v6.stdout.trim()).toBe('');
  });

  it('leaves traffic from other containers untouched (and so shows every target was listening)', async () => {
    const foreign = { containerId: foreignId! };
    expect(await probe(TARGET.linkLocal, 80, foreign)).toBe('open');
    expect(await probe(TARGET.private, 80, foreign)).toBe('open');
    expect(await probe(TARGET.docRange, 25, foreign)).toBe('open');
    expect(await probe(gateway, hostPort, foreign)).toBe('open');
  });

  it('opens exactly what the plan allows, and writes nothing when converged again', async () => {
    egress.setAllow(tenantId, [`${TARGET.private}/32:80`]);
    expect((await egress.converge()).changed).toBe(true);
    expect(await probe(TARGET.private, 80)).toBe('open');
    expect(await probe(TARGET.private, 25)).toBe('blocked');
    expect(await probe(TARGET.linkLocal, 80)).toBe('blocked');
    expect(await probe(gateway, hostPort)).toBe('blocked');
    expect((await egress.converge()).changed).toBe(false);
  });

  it('removes the rules with the tenant', async () => {
    await removeTenant(ctx!, { tenantId, deleteSiteFiles: true });
    egress.forget(tenantId);
    expect((await observe(ctx!, { tenantId })).networks).toEqual([]);
    expect((await egress.converge()).chains).toEqual([]);
    expect(await filterTable()).not.toContain(egressChainPrefix(ctx!.instance));
  });
});

import { assertSlug } from '../inputs.guard.js';
import { LABELS, ownershipLabels } from '../labels.js';
import { BRIDGE_NAME_OPTION, bridgeName, bridgeOf, networkName } from '../naming.js';
import { callDocker, isNotFound } from '../docker/docker.driver.js';
import { RuntimeError } from '../errors.js';
import type { DockerDriver, ObservedNetwork } from '../runtime.types.js';

/** TenantNetwork is the tenant's bridge as created/observed; `gateway` is where published-port traffic comes from. */
export type TenantNetwork = ObservedNetwork;

async function findTenantNetworks(ctx: DockerDriver, tenantId: string) {
  return callDocker('network list', () =>
    ctx.docker.listNetworks({
      filters: {
        label: [`${LABELS.managed}=${ctx.instance}`, `${LABELS.tenant}=${tenantId}`, `${LABELS.role}=network`],
      },
    }),
  );
}

async function inspectNetwork(ctx: DockerDriver, id: string, tenantId: string): Promise<TenantNetwork> {
  const info = await callDocker('network inspect', () => ctx.docker.getNetwork(id).inspect());
  const ipam = (info.IPAM?.Config ?? [])[0] as { Gateway?: string; Subnet?: string } | undefined;
  const foreign = Object.values((info.Containers ?? {}) as Record<string, { Name: string }>)
    .map((c) => c.Name)
    .filter((n) => !n.startsWith(`berth-${tenantId}-`));
  if (foreign.length > 0) {
    ctx.logger?.warn(
      { tenantId, network: info.Name, foreign },
      'runtime: containers not owned by this tenant are attached to its network',
    );
  }
  // Docker 20.10 reports no Gateway for a network created with only a Subnet (every pool network made before
  // the gateway was given explicitly); its bridge still uses the subnet's first host, as Docker's IPAM does.
  const gateway = ipam?.Gateway ?? (ipam?.Subnet ? firstHost(ipam.Subnet) : undefined);
  return { id: info.Id, name: info.Name, tenantId, gateway, subnet: ipam?.Subnet, bridge: bridgeOf(info) };
}

/** firstHost is an IPv4 subnet's first host address (`10.208.0.32/27` → `10.208.0.33`): the bridge's gateway. */
export function firstHost(subnet: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(subnet);
  if (!m) return undefined;
  const bits = Number(m[5]);
  if (bits > 30) return undefined;
  const value =
    (((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0) &
    (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
  const host = (value + 1) >>> 0;
  return [host >>> 24, (host >>> 16) & 255, (host >>> 8) & 255, host & 255].join('.');
}

/**
 * ensureTenantNetwork gives each tenant one user-defined bridge of its own (`berth-<tenant>`). Docker isolates
 * user-defined bridges from each other, so one tenant's containers cannot reach another's; only the tenant's
 * own containers are attached. Idempotent: an existing labelled network is returned as is. With `subnets`
 * the bridge gets a /27 of the panel's pool: the preferred one, or the next one no other network uses
 * (another installation on the same engine, or something left behind, may hold it). The bridge's Linux
 * interface is named `bridgeName(installation, tenant)`, which the egress rules match.
 */
export async function ensureTenantNetwork(
  ctx: DockerDriver,
  params: { tenantId: string; subnets?: SubnetPlan },
): Promise<TenantNetwork> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  const existing = await findTenantNetworks(ctx, tenantId);
  const first = existing[0];
  if (first) return inspectNetwork(ctx, first.Id, tenantId);
  const name = networkName(tenantId);
  // Two tenants converging at once may pick the same free /27: the engine refuses the second ("Pool
  // overlaps"), which then picks again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await createTenantNetwork(
        ctx,
        tenantId,
        name,
        params.subnets ? await freeSubnet(ctx, params.subnets) : undefined,
      );
    } catch (err) {
      if (attempt >= 5 || !/overlaps/i.test(String((err as Error).message))) throw err;
      ctx.logger?.info({ tenantId, attempt }, 'runtime: the chosen subnet was just taken; picking another');
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

async function createTenantNetwork(
  ctx: DockerDriver,
  tenantId: string,
  name: string,
  subnet: string | undefined,
): Promise<TenantNetwork> {
  try {
    const net = await callDocker('network create', () =>
      ctx.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Internal: false,
        EnableIPv6: false,
        Attachable: false,
        // An explicit small subnet per tenant: Docker's default pools run out after ~30 bridges.
        // The gateway is given too: Docker 20.10 otherwise reports none, and Varnish's purge ACL needs it.
        ...(subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: firstHost(subnet) }] } } : {}),
        Labels: ownershipLabels({ instance: ctx.instance, tenantId, role: 'network' }),
        Options: {
          'com.docker.network.bridge.enable_icc': 'true',
          'com.docker.network.bridge.enable_ip_masquerade': 'true',
          [BRIDGE_NAME_OPTION]: bridgeName(ctx.instance, tenantId),
        },
      }),
    );
    ctx.logger?.info({ tenantId, network: name }, 'runtime: tenant network created');
    return await inspectNetwork(ctx, net.id, tenantId);
  } catch (err) {
    // A concurrent pass may have created it between list and create: re-read by labels.
    const again = (await findTenantNetworks(ctx, tenantId))[0];
    if (again) return inspectNetwork(ctx, again.Id, tenantId);
    throw err;
  }
}

/** removeTenantNetwork deletes the tenant's labelled network(s); containers must be gone first. */
export async function removeTenantNetwork(ctx: DockerDriver, params: { tenantId: string }): Promise<number> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  const nets = await findTenantNetworks(ctx, tenantId);
  for (const n of nets) {
    try {
      await ctx.docker.getNetwork(n.Id).remove();
    } catch (err) {
      if (!isNotFound(err)) await callDocker('network remove', () => Promise.reject(err));
    }
  }
  return nets.length;
}

/** SubnetPlan is where a tenant's /27 comes from: the panel's private pool, and which slot to try first. */
export interface SubnetPlan {
  pool: string;
  preferredSlot: number;
}

function parseCidr(value: string): { base: number; prefix: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new RuntimeError('INVALID_INPUT', `Not an IPv4 CIDR: ${JSON.stringify(value)}.`);
  }
  const addr = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  const prefix = Number(m[5]);
  const size = 2 ** (32 - prefix);
  return { base: addr - (addr % size), prefix };
}

const SLOT = 32; // a /27

/** freeSubnet picks the preferred /27 of the pool, or the next one that overlaps no existing network. */
async function freeSubnet(ctx: DockerDriver, plan: SubnetPlan): Promise<string> {
  const pool = parseCidr(plan.pool);
  if (pool.prefix > 27)
    throw new RuntimeError('INVALID_INPUT', `The tenant network pool ${plan.pool} is smaller than one /27.`);
  const slots = 2 ** (27 - pool.prefix);
  const used: { start: number; end: number }[] = [];
  for (const net of await callDocker('network list', () => ctx.docker.listNetworks())) {
    for (const cfg of (net.IPAM?.Config ?? []) as { Subnet?: string }[]) {
      if (!cfg.Subnet || cfg.Subnet.includes(':')) continue;
      const c = parseCidr(cfg.Subnet);
      used.push({ start: c.base, end: c.base + 2 ** (32 - c.prefix) - 1 });
    }
  }
  for (let i = 0; i < slots; i++) {
    const start = pool.base + ((((plan.preferredSlot + i) % slots) + slots) % slots) * SLOT;
    const end = start + SLOT - 1;
    if (used.some((u) => u.start <= end && start <= u.end)) continue;
    return `${[24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256).join('.')}/27`;
  }
  throw new RuntimeError(
    'INVALID_INPUT',
    `No free /27 is left in the tenant network pool ${plan.pool}; widen BERTH_TENANT_NETWORKS.`,
  );
}

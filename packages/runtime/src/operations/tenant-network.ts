import { assertSlug } from '../inputs.guard.js';
import { LABELS, ownershipLabels } from '../labels.js';
import { networkName } from '../naming.js';
import { callDocker, isNotFound } from '../docker/docker.driver.js';
import { RuntimeError } from '../errors.js';
import type { DockerDriver, ObservedNetwork } from '../runtime.types.js';

/** TenantNetwork is the tenant's bridge as created/observed; `gateway` is where published-port traffic comes from. */
export type TenantNetwork = ObservedNetwork;

async function findTenantNetworks(ctx: DockerDriver, tenantId: string) {
  return callDocker('network list', () =>
    ctx.docker.listNetworks({ filters: { label: [`${LABELS.managed}=${ctx.instance}`, `${LABELS.tenant}=${tenantId}`, `${LABELS.role}=network`] } }),
  );
}

async function inspectNetwork(ctx: DockerDriver, id: string, tenantId: string): Promise<TenantNetwork> {
  const info = await callDocker('network inspect', () => ctx.docker.getNetwork(id).inspect());
  const ipam = (info.IPAM?.Config ?? [])[0] as { Gateway?: string; Subnet?: string } | undefined;
  const foreign = Object.values((info.Containers ?? {}) as Record<string, { Name: string }>).map((c) => c.Name).filter((n) => !n.startsWith(`berth-${tenantId}-`));
  if (foreign.length > 0) {
    ctx.logger?.warn({ tenantId, network: info.Name, foreign }, 'runtime: containers not owned by this tenant are attached to its network');
  }
  return { id: info.Id, name: info.Name, tenantId, gateway: ipam?.Gateway, subnet: ipam?.Subnet };
}

/**
 * ensureTenantNetwork gives each tenant one user-defined bridge of its own (`berth-<tenant>`). Docker isolates
 * user-defined bridges from each other, so one tenant's containers cannot reach another's; only the tenant's
 * own containers are attached. Idempotent: an existing labelled network is returned as is. With `subnet`
 * (a CIDR from the panel's tenant pool) the bridge gets exactly that range.
 */
export async function ensureTenantNetwork(ctx: DockerDriver, params: { tenantId: string; subnet?: string }): Promise<TenantNetwork> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  const existing = await findTenantNetworks(ctx, tenantId);
  const first = existing[0];
  if (first) return inspectNetwork(ctx, first.Id, tenantId);
  const name = networkName(tenantId);
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
        ...(params.subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: assertSubnet(params.subnet) }] } } : {}),
        Labels: ownershipLabels({ instance: ctx.instance, tenantId, role: 'network' }),
        Options: { 'com.docker.network.bridge.enable_icc': 'true', 'com.docker.network.bridge.enable_ip_masquerade': 'true' },
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

/** assertSubnet accepts an IPv4 CIDR such as 10.208.0.32/27 and nothing else. */
function assertSubnet(value: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) < 8 || Number(m[5]) > 29) {
    throw new RuntimeError('INVALID_INPUT', `Not an IPv4 subnet for a tenant network: ${JSON.stringify(value)}.`);
  }
  return value;
}

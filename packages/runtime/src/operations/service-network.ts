import type Docker from 'dockerode';
import { callDocker, isNotFound } from '../docker/docker.driver.js';
import type { DockerDriver } from '../runtime.types.js';

/** ServiceNetwork names the bridge of one of the panel's own services (phpMyAdmin/Adminer, SFTP) by its labels. */
export interface ServiceNetwork {
  name: string;
  labels: Record<string, string>;
  /** For the log line: "database admin", "SFTP". */
  what: string;
}

async function findServiceNetworks(ctx: DockerDriver, net: ServiceNetwork): Promise<Docker.NetworkInspectInfo[]> {
  return callDocker('network list', () =>
    ctx.docker.listNetworks({ filters: { label: Object.entries(net.labels).map(([k, v]) => `${k}=${v}`) } }),
  );
}

/**
 * ensureServiceNetwork gives a service a bridge of its own: a published port needs one (network `none` has no
 * port mappings; an `internal` bridge gets none either). Its role is the service's, not `network`, so neither
 * the tenants' egress rules nor anything that lists tenant networks picks it up. Inter-container traffic and IP
 * masquerading are off: the container answers its published port, but its own packets to other networks leave
 * without NAT, so nothing outside the host answers them. Idempotent: an existing labelled network is kept.
 */
export async function ensureServiceNetwork(ctx: DockerDriver, net: ServiceNetwork): Promise<string> {
  const existing = (await findServiceNetworks(ctx, net))[0];
  if (existing) return existing.Name;
  try {
    await callDocker('network create', () =>
      ctx.docker.createNetwork({
        Name: net.name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Internal: false,
        EnableIPv6: false,
        Attachable: false,
        Labels: net.labels,
        Options: {
          'com.docker.network.bridge.enable_icc': 'false',
          'com.docker.network.bridge.enable_ip_masquerade': 'false',
        },
      }),
    );
    ctx.logger?.info({ network: net.name }, `runtime: ${net.what} network created`);
    return net.name;
  } catch (err) {
    // A concurrent pass may have created it between list and create: re-read by labels.
    const again = (await findServiceNetworks(ctx, net))[0];
    if (again) return again.Name;
    throw err;
  }
}

/** removeServiceNetworks removes the service's bridges (after its containers). Idempotent. */
export async function removeServiceNetworks(ctx: DockerDriver, net: ServiceNetwork): Promise<void> {
  for (const n of await findServiceNetworks(ctx, net)) {
    try {
      await ctx.docker.getNetwork(n.Id).remove();
    } catch (err) {
      if (!isNotFound(err)) await callDocker('network remove', () => Promise.reject(err));
    }
  }
}

import { LABELS } from '../labels.js';
import { assertSlug } from '../inputs.guard.js';
import { bridgeOf } from '../naming.js';
import { callDocker } from '../docker/docker.driver.js';
import type { DockerDriver, ObservedState } from '../runtime.types.js';

/**
 * ONE_SHOT_ROLES are the `berth.role`s of containers that run one task for a tenant (WordPress's installer, a
 * backup or restore) and
 * are removed by the operation that started them. While such a container is created or running it is no part
 * of the tenant's runtime: observe leaves it out (unless asked), so the reconciler neither counts it as drift
 * nor removes it mid-task. A stopped one (left over by a panel that died meanwhile) is reported like any other
 * container: not an expected component, so the tenant's next pass removes it (removeUnwanted).
 */
export const ONE_SHOT_ROLES: readonly string[] = ['installer', 'backup'];

/**
 * observe lists what exists in the engine with Berth's labels (for one tenant, or all), which is all the
 * reconciler needs to plan: containers with their role, component, spec hash, state and published ports;
 * networks with their gateway and bridge interface; volumes. Unlabelled objects are never reported, so never acted upon.
 * Busy one-shot containers (ONE_SHOT_ROLES) are reported only with `includeBusyOneShots` (removeTenant).
 */
export async function observe(
  ctx: DockerDriver,
  params: { tenantId?: string; includeBusyOneShots?: boolean } = {},
): Promise<ObservedState> {
  const label = [`${LABELS.managed}=${ctx.instance}`];
  if (params.tenantId !== undefined) label.push(`${LABELS.tenant}=${assertSlug(params.tenantId, 'tenant id')}`);
  const [containers, networks, volumes] = await Promise.all([
    callDocker('container list', () => ctx.docker.listContainers({ all: true, filters: { label } })),
    callDocker('network list', () => ctx.docker.listNetworks({ filters: { label } })),
    callDocker('volume list', () => ctx.docker.listVolumes({ filters: { label } })),
  ]);
  const withTenant = <T extends { Labels?: Record<string, string> | null }>(items: T[]) =>
    items.filter((i) => i.Labels?.[LABELS.tenant]);
  const busyOneShot = (c: (typeof containers)[number]) =>
    ONE_SHOT_ROLES.includes(c.Labels[LABELS.role] ?? '') && c.State !== 'exited' && c.State !== 'dead';
  const visible = params.includeBusyOneShots ? containers : containers.filter((c) => !busyOneShot(c));
  return {
    containers: withTenant(visible).map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      tenantId: c.Labels[LABELS.tenant] ?? '',
      siteId: c.Labels[LABELS.site],
      role: c.Labels[LABELS.role] ?? '',
      component: c.Labels[LABELS.component] ?? '',
      spec: c.Labels[LABELS.spec] ?? '',
      image: c.Image,
      state: c.State,
      running: c.State === 'running',
      ports: c.Ports.filter((p) => p.PublicPort !== undefined).map((p) => ({
        hostIp: p.IP ?? '',
        hostPort: p.PublicPort,
        containerPort: p.PrivatePort,
      })),
    })),
    networks: withTenant(networks).map((n) => {
      const cfg = (n.IPAM?.Config ?? [])[0] as { Gateway?: string; Subnet?: string } | undefined;
      return {
        id: n.Id,
        name: n.Name,
        tenantId: n.Labels?.[LABELS.tenant] ?? '',
        gateway: cfg?.Gateway,
        subnet: cfg?.Subnet,
        bridge: bridgeOf(n),
      };
    }),
    volumes: withTenant(volumes.Volumes ?? []).map((v) => ({
      name: v.Name,
      tenantId: v.Labels?.[LABELS.tenant] ?? '',
    })),
  };
}

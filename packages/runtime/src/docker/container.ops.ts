import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { RuntimeError } from '../errors.js';
import { LABELS, hashSpec } from '../labels.js';
import { callDocker, engineMessage, isNotFound } from './docker.driver.js';
import type { ImageRef } from '../catalog.js';
import type { DockerDriver } from '../runtime.types.js';
import { readAppliedState, writeAppliedState } from './tenant-files.js';

/** DesiredContainer is one container as an ensure* operation wants it. */
export interface DesiredContainer {
  tenantId: string;
  component: string;
  name: string;
  image: ImageRef;
  labels: Record<string, string>;
  /** Everything of the create call except name, image and labels; hashed into `berth.spec`. */
  create: Omit<Docker.ContainerCreateOptions, 'name' | 'Image' | 'Labels'>;
  /** Hash of the config files the container reads; a change means reload, not replace. */
  configHash?: string;
  /** Validates the new config inside the running container and makes it live (e.g. `nginx -t` + HUP). */
  reload?: (container: Docker.Container) => Promise<void>;
  /** The container publishes host ports, so the old one must stop before the new one can start. */
  exclusivePorts?: boolean;
  /**
   * How long a fresh container must stay up to count as started (default 250 ms: servers reject a bad
   * config at once). App runtimes load user code first, so they ask for longer.
   */
  settleMs?: number;
}

/** EnsureResult says what ensureContainer did, for events the user sees (`updated`: new limits, same container). */
export interface EnsureResult {
  id: string;
  action: 'created' | 'replaced' | 'reloaded' | 'started' | 'updated' | 'unchanged';
}

/**
 * LIMIT_KEYS are the HostConfig limits a running container takes with `docker update`: they are left out of
 * `berth.spec`, so a plan change adjusts the containers in place instead of replacing them.
 */
const LIMIT_KEYS = ['Memory', 'MemorySwap', 'NanoCpus', 'PidsLimit'] as const;
type Limits = Pick<Docker.HostConfig, (typeof LIMIT_KEYS)[number]>;

function splitLimits(create: DesiredContainer['create']): { hashed: DesiredContainer['create']; limits: Limits } {
  const hostConfig: Docker.HostConfig = { ...(create.HostConfig ?? {}) };
  const limits: Limits = {};
  for (const key of LIMIT_KEYS) {
    if (hostConfig[key] !== undefined) limits[key] = hostConfig[key];
    delete hostConfig[key];
  }
  return { hashed: { ...create, HostConfig: hostConfig }, limits };
}

/**
 * applyLimits gives a running container the desired limits with `docker update` when they differ; false
 * when the engine refuses (e.g. memory below what the container uses now), so the caller replaces it.
 */
async function applyLimits(
  ctx: DockerDriver,
  container: Docker.Container,
  name: string,
  limits: Limits,
): Promise<boolean | 'unchanged'> {
  if (Object.keys(limits).length === 0) return 'unchanged';
  const info = await callDocker('container inspect', () => container.inspect());
  const differs = LIMIT_KEYS.some((k) => limits[k] !== undefined && (info.HostConfig[k] ?? 0) !== limits[k]);
  if (!differs) return 'unchanged';
  try {
    await container.update(limits);
    ctx.logger?.info({ name, limits }, 'runtime: container limits updated in place');
    return true;
  } catch (err) {
    ctx.logger?.warn({ err, name, limits }, 'runtime: the engine refused the new limits; replacing the container');
    return false;
  }
}

const SETTLE_MS = 250;

/** ensureImagePresent throws IMAGE_MISSING (with the command that fixes it) when the image is absent. */
export async function ensureImagePresent(ctx: DockerDriver, ref: ImageRef): Promise<string> {
  try {
    const info = await ctx.docker.getImage(ref.image).inspect();
    return info.Id;
  } catch (err) {
    if (isNotFound(err)) {
      const fix =
        ctx.profile === 'local'
          ? `build it with \`bash docker/build.sh ${ref.buildTarget}\``
          : `load or pull it on this host (or set BERTH_IMAGE_PROFILE=local and run \`bash docker/build.sh ${ref.buildTarget}\`)`;
      throw new RuntimeError('IMAGE_MISSING', `Image ${ref.image} is not present in the Docker engine; ${fix}.`, {
        cause: err,
        details: { image: ref.image, profile: ctx.profile },
      });
    }
    return callDocker('image inspect', () => Promise.reject(err));
  }
}

/** listComponentContainers finds a tenant component's containers by labels (a crash may leave two). */
export async function listComponentContainers(
  ctx: DockerDriver,
  tenantId: string,
  component: string,
): Promise<Docker.ContainerInfo[]> {
  return callDocker('container list', () =>
    ctx.docker.listContainers({
      all: true,
      filters: {
        label: [
          `${LABELS.managed}=${ctx.instance}`,
          `${LABELS.tenant}=${tenantId}`,
          `${LABELS.component}=${component}`,
        ],
      },
    }),
  );
}

async function containerLogs(container: Docker.Container): Promise<string> {
  try {
    const buf = await container.logs({ stdout: true, stderr: true, tail: 30, follow: false });
    // Non-TTY logs are multiplexed: 8-byte frame headers before each chunk.
    const out: string[] = [];
    let i = 0;
    while (i + 8 <= buf.length) {
      const len = buf.readUInt32BE(i + 4);
      out.push(buf.subarray(i + 8, i + 8 + len).toString('utf8'));
      i += 8 + len;
    }
    return out.join('').trim();
  } catch (err) {
    return `(logs unavailable: ${engineMessage(err)})`;
  }
}

/** waitRunning gives a started container a moment and throws CONTAINER_FAILED if it exited or restarts. */
async function waitRunning(container: Docker.Container, name: string, settleMs = SETTLE_MS): Promise<void> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const info = await callDocker('container inspect', () => container.inspect());
    const s = info.State;
    if (!s.Running || s.Restarting) {
      const logs = await containerLogs(container);
      throw new RuntimeError(
        'CONTAINER_FAILED',
        `Container ${name} stopped right after start (exit code ${s.ExitCode}${s.Error ? `, ${s.Error}` : ''}); see its log lines in details and fix the site's settings or the image.`,
        { details: { name, exitCode: s.ExitCode, logs } },
      );
    }
    if (Date.now() >= deadline) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** removeContainerById force-removes a container (and its anonymous volumes); a 404 counts as removed. */
export async function removeContainerById(ctx: DockerDriver, id: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ctx.docker.getContainer(id).remove({ force: true, v: true });
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      // Right after an engine restart overlay2 may still hold the old mount for a while:
      // "driver "overlay2" failed to remove root filesystem: … device or resource busy". It clears by itself.
      if (/device or resource busy/.test(String((err as Error).message)) && attempt < 8) {
        await new Promise((r) => setTimeout(r, 500 * 2 ** Math.min(attempt, 4)));
        continue;
      }
      await callDocker('container remove', () => Promise.reject(err));
    }
  }
}

async function createAndStart(ctx: DockerDriver, desired: DesiredContainer, spec: string): Promise<Docker.Container> {
  const container = await callDocker('container create', () =>
    ctx.docker.createContainer({
      ...desired.create,
      name: desired.name,
      Image: desired.image.image,
      Labels: { ...desired.labels, [LABELS.spec]: spec },
    }),
  );
  try {
    await callDocker('container start', () => container.start());
    await waitRunning(container, desired.name, desired.settleMs);
    return container;
  } catch (err) {
    await removeContainerById(ctx, container.id).catch((cleanupErr: unknown) =>
      ctx.logger?.warn({ err: cleanupErr, name: desired.name }, 'runtime: could not remove failed container'),
    );
    throw err;
  }
}

/** attachedTo says whether a listed container is on the user-defined network its spec names (host mode and defaults always are). */
function attachedTo(container: Docker.ContainerInfo, network: string | undefined): boolean {
  if (!network || network === 'host' || network === 'bridge' || network === 'none' || network === 'default')
    return true;
  return container.NetworkSettings?.Networks?.[network] !== undefined;
}

/**
 * ensureContainer converges one container: absent → create and start; same `berth.spec` → start if stopped
 * and reload if its config changed; different spec → replace (new one started before the old is removed,
 * except when host ports force stopping the old one first). Whatever this call created is removed again if
 * it fails, and a replaced container is restored, so a failure leaves the previous state.
 */
export async function ensureContainer(ctx: DockerDriver, desired: DesiredContainer): Promise<EnsureResult> {
  const imageId = await ensureImagePresent(ctx, desired.image);
  const { hashed, limits } = splitLimits(desired.create);
  const spec = hashSpec({ image: desired.image.image, imageId, create: hashed, labels: desired.labels });
  const existing = await listComponentContainers(ctx, desired.tenantId, desired.component);
  let current = existing.find((c) => c.Labels[LABELS.spec] === spec);
  const log = ctx.logger;

  // A running container that lost its network (disconnected, or the network was removed and made again by
  // hand) serves nothing: same spec or not, it is replaced.
  if (current && current.State === 'running' && !attachedTo(current, desired.create.HostConfig?.NetworkMode)) {
    log?.warn(
      { name: desired.name, network: desired.create.HostConfig?.NetworkMode },
      'runtime: container is not on its network; replacing it',
    );
    current = undefined;
  }

  let updated = false;
  if (current) {
    const outcome = await applyLimits(ctx, ctx.docker.getContainer(current.Id), desired.name, limits);
    if (outcome === false) current = undefined;
    updated = outcome === true;
  }

  if (current) {
    for (const extra of existing.filter((c) => c.Id !== current.Id)) await removeContainerById(ctx, extra.Id);
    const container = ctx.docker.getContainer(current.Id);
    let action: EnsureResult['action'] = updated ? 'updated' : 'unchanged';
    if (current.State !== 'running') {
      try {
        await callDocker('container start', () => container.start());
        await waitRunning(container, desired.name, desired.settleMs);
        action = 'started';
      } catch (err) {
        // After an engine restart containerd can still hold the old task ("task … already exists"), and
        // the container never starts again. Same spec, so replace it with a fresh one.
        log?.warn({ err, name: desired.name }, 'runtime: stopped container would not start; recreating it');
        await removeContainerById(ctx, current.Id);
        const created = await createAndStart(ctx, desired, spec);
        if (desired.configHash !== undefined) {
          await writeAppliedState(ctx, desired.tenantId, desired.component, {
            containerId: created.id,
            configHash: desired.configHash,
          });
        }
        return { id: created.id, action: 'replaced' };
      }
    }
    if (desired.configHash !== undefined) {
      const applied = await readAppliedState(ctx, desired.tenantId, desired.component);
      if (applied?.containerId !== current.Id || applied.configHash !== desired.configHash) {
        if ((action === 'unchanged' || action === 'updated') && desired.reload) {
          await desired.reload(container);
          action = 'reloaded';
        }
        await writeAppliedState(ctx, desired.tenantId, desired.component, {
          containerId: current.Id,
          configHash: desired.configHash,
        });
      }
    }
    log?.debug({ name: desired.name, action }, 'runtime: container converged');
    return { id: current.Id, action };
  }

  const old = existing[0];
  if (!old) {
    const created = await createAndStart(ctx, desired, spec);
    if (desired.configHash !== undefined) {
      await writeAppliedState(ctx, desired.tenantId, desired.component, {
        containerId: created.id,
        configHash: desired.configHash,
      });
    }
    log?.info({ name: desired.name, id: created.id }, 'runtime: container created');
    return { id: created.id, action: 'created' };
  }

  // Replace: park the old one under another name, start the new one, then drop the old one.
  const oldContainer = ctx.docker.getContainer(old.Id);
  const parked = `${desired.name}-old-${old.Id.slice(0, 8)}`;
  const wasRunning = old.State === 'running';
  await callDocker('container rename', () => oldContainer.rename({ name: parked }));
  if (desired.exclusivePorts && wasRunning) await callDocker('container stop', () => oldContainer.stop({ t: 5 }));
  let created: Docker.Container;
  try {
    created = await createAndStart(ctx, desired, spec);
  } catch (err) {
    try {
      await callDocker('container rename', () => oldContainer.rename({ name: desired.name }));
      if (desired.exclusivePorts && wasRunning) await callDocker('container start', () => oldContainer.start());
    } catch (restoreErr) {
      log?.error({ err: restoreErr, name: desired.name }, 'runtime: could not restore the previous container');
    }
    throw err;
  }
  for (const c of existing) await removeContainerById(ctx, c.Id);
  if (desired.configHash !== undefined) {
    await writeAppliedState(ctx, desired.tenantId, desired.component, {
      containerId: created.id,
      configHash: desired.configHash,
    });
  }
  log?.info({ name: desired.name, id: created.id, replaced: old.Id }, 'runtime: container replaced');
  return { id: created.id, action: 'replaced' };
}

/** ExecResult is the outcome of a command run inside a container. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * execInContainer runs a command (no shell) inside a running container and collects its output; used for
 * config checks (`nginx -t`), reload signals that need the server's own tool (`varnishadm`), probes, and SQL.
 * With `input`, that text goes to the command's stdin, which is then closed: SQL travels this way, not as an
 * argument, so it never shows in a process list or in the engine's record of the exec.
 */
export async function execInContainer(
  ctx: DockerDriver,
  containerId: string,
  cmd: string[],
  opts: { user?: string; env?: string[]; input?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const container = ctx.docker.getContainer(containerId);
  const withInput = opts.input !== undefined;
  const exec = await callDocker('exec create', () =>
    container.exec({
      Cmd: cmd,
      AttachStdout: true,
      AttachStderr: true,
      ...(withInput ? { AttachStdin: true, Tty: false } : {}),
      ...(opts.user ? { User: opts.user } : {}),
      ...(opts.env ? { Env: opts.env } : {}),
    }),
  );
  const stream = await callDocker('exec start', () => exec.start({ hijack: true, stdin: withInput }));
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  ctx.docker.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new RuntimeError('DOCKER_ERROR', `Command ${cmd[0]} in container ${containerId.slice(0, 12)} timed out.`));
    }, opts.timeoutMs ?? 30_000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
    // Half-close: the engine closes the process's stdin, so the command reads to the end and exits.
    if (withInput) stream.end(opts.input);
  });
  // The stream can end a moment before the engine records the exit code.
  for (let i = 0; ; i++) {
    const info = await callDocker('exec inspect', () => exec.inspect());
    if (!info.Running || i >= 40) {
      return {
        exitCode: info.Running ? -1 : (info.ExitCode ?? -1),
        stdout: Buffer.concat(chunks.out).toString('utf8'),
        stderr: Buffer.concat(chunks.err).toString('utf8'),
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** signalContainer sends a signal to PID 1 (HUP for nginx reload, USR2 for php-fpm, USR1 for httpd graceful). */
export async function signalContainer(ctx: DockerDriver, containerId: string, signal: string): Promise<void> {
  await callDocker('container kill', () => ctx.docker.getContainer(containerId).kill({ signal }));
}

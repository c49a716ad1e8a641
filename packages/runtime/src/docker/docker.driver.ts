import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import Docker from 'dockerode';
import { RuntimeError, isRuntimeError } from '../errors.js';
import { parseImageProfile } from '../catalog.js';
import type { DockerDriver, ImageProfile, Logger } from '../runtime.types.js';

/**
 * createDockerDriver builds the context every runtime operation takes. With no `docker` it connects to the
 * engine the way the Docker CLI does (DOCKER_HOST or /var/run/docker.sock); the profile defaults to
 * BERTH_IMAGE_PROFILE (`local` when unset).
 */
export function createDockerDriver(args: {
  dataDir: string;
  docker?: Docker;
  profile?: ImageProfile;
  logger?: Logger;
  instance?: string;
}): DockerDriver {
  const driver: DockerDriver = {
    docker: args.docker ?? new Docker(),
    // Derived from the data dir: one installation, one id, stable across restarts, no file to keep.
    instance: args.instance ?? createHash('sha256').update(resolve(args.dataDir)).digest('hex').slice(0, 12),
    profile: args.profile ?? parseImageProfile(process.env.BERTH_IMAGE_PROFILE),
    dataDir: args.dataDir,
  };
  if (args.logger) driver.logger = args.logger;
  return driver;
}

interface EngineError {
  code?: string;
  statusCode?: number;
  message?: string;
  json?: { message?: string };
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** engineMessage extracts the engine's own text from a dockerode error. */
export function engineMessage(err: unknown): string {
  const e = err as EngineError;
  return e?.json?.message ?? e?.message ?? String(err);
}

/** isNotFound tells a 404 from the engine (no such container/network/image). */
export function isNotFound(err: unknown): boolean {
  return (err as EngineError)?.statusCode === 404;
}

/**
 * callDocker runs one engine call and turns transport failures into DOCKER_UNAVAILABLE and port clashes into
 * PORT_IN_USE, so callers see the runtime's typed errors instead of socket errors. RuntimeErrors pass through.
 */
export async function callDocker<T>(op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isRuntimeError(err)) throw err;
    const e = err as EngineError;
    if (e?.code && UNREACHABLE.has(e.code)) {
      throw new RuntimeError(
        'DOCKER_UNAVAILABLE',
        `The Docker engine is not reachable (${e.code} during ${op}); start dockerd or check DOCKER_HOST and socket permissions.`,
        { cause: err, details: { op } },
      );
    }
    const msg = engineMessage(err);
    const port =
      /(?:Bind for [^ ]*:(\d+) failed: port is already allocated|listen tcp4? [^ ]*:(\d+): bind: address already in use)/.exec(
        msg,
      );
    if (port) {
      const p = port[1] ?? port[2];
      throw new RuntimeError(
        'PORT_IN_USE',
        `Host port ${p} is already in use by another process or container; free it or allocate another port.`,
        {
          cause: err,
          details: { op, port: Number(p) },
        },
      );
    }
    throw new RuntimeError('DOCKER_ERROR', `Docker engine error during ${op}: ${msg}`, {
      cause: err,
      details: { op, statusCode: e?.statusCode },
    });
  }
}

/** pingDocker checks that the engine answers; it throws DOCKER_UNAVAILABLE otherwise. */
export async function pingDocker(ctx: DockerDriver): Promise<void> {
  try {
    await ctx.docker.ping();
  } catch (err) {
    throw new RuntimeError(
      'DOCKER_UNAVAILABLE',
      `The Docker engine does not answer (${engineMessage(err)}); start dockerd or check DOCKER_HOST.`,
      {
        cause: err,
      },
    );
  }
}

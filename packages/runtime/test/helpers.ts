import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import Docker from 'dockerode';
import {
  createDockerDriver,
  releaseTenantsRoot,
  resolveImage,
  type DockerDriver,
  type ImageRequest,
} from '../src/index.js';
import type { PhpBounds, ResourceLimits } from '../src/runtime.types.js';

/** A fresh tenant id per run so parallel or aborted runs never collide. */
export function uniqueTenantId(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * newDriver makes a driver on the real engine with a throwaway data dir; cleanup also removes the shared
 * bind the runtime puts on its tenants directory (tenants must be removed first).
 */
export async function newDriver(): Promise<{ ctx: DockerDriver; cleanup: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-runtime-'));
  const ctx = createDockerDriver({ dataDir, docker: new Docker(), profile: 'local' });
  return {
    ctx,
    cleanup: async () => {
      await releaseTenantsRoot(ctx);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * requireImages fails (never skips) with the build command when an image the test needs is missing.
 */
export async function requireImages(ctx: DockerDriver, reqs: ImageRequest[]): Promise<void> {
  const missing: string[] = [];
  for (const r of reqs) {
    const ref = resolveImage(ctx.profile, r);
    try {
      await ctx.docker.getImage(ref.image).inspect();
    } catch {
      missing.push(`${ref.image} (bash docker/build.sh ${ref.buildTarget})`);
    }
  }
  if (missing.length > 0) throw new Error(`Missing images for the runtime integration tests: ${missing.join(', ')}`);
}

export const LIMITS: ResourceLimits = { nanoCpus: 500_000_000, memoryBytes: 128 * 1024 * 1024, pids: 128 };
/** TENANT_LIMITS are plan totals roomy enough that LIMITS stay every container's own cap. */
export const TENANT_LIMITS: ResourceLimits = { nanoCpus: 2_000_000_000, memoryBytes: 1024 * 1024 * 1024, pids: 1024 };
export const BOUNDS: PhpBounds = {
  memoryLimitMb: { min: 32, max: 256 },
  uploadMaxMb: { min: 1, max: 64 },
  postMaxMb: { min: 1, max: 64 },
  maxExecutionSeconds: { min: 5, max: 120 },
  maxChildren: 4,
};

/** freePort asks the kernel for a currently free loopback port. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** httpGet sends one request to 127.0.0.1:<port> with a Host header. */
export function httpGet(
  port: number,
  host: string,
  path = '/',
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers: { Host: host, ...headers }, agent: false, timeout: 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** waitFor200 polls until the URL answers 200 (containers need a moment after start) or times out. */
export async function waitFor200(port: number, host: string, path = '/', timeoutMs = 15_000): Promise<HttpResult> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const res = await httpGet(port, host, path);
      if (res.status === 200) return res;
      last = `${res.status} ${res.body.slice(0, 200)}`;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`http://${host}:${port}${path} did not answer 200 within ${timeoutMs} ms; last: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

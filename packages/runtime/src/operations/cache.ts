import { request } from 'node:http';
import { RuntimeError } from '../errors.js';
import { assertBanRegex, assertHostname, assertSlug } from '../inputs.guard.js';
import { readOrCreateSecret } from '../docker/tenant-files.js';
import { observe } from './observe.js';
import { PURGE_TOKEN_SECRET, VARNISH_COMPONENT } from './varnish.js';
import type { DockerDriver } from '../runtime.types.js';

async function cachePort(ctx: DockerDriver, tenantId: string): Promise<number> {
  const state = await observe(ctx, { tenantId });
  const v = state.containers.find((c) => c.component === VARNISH_COMPONENT && c.running);
  const port = v?.ports.find((p) => p.containerPort === 80)?.hostPort;
  if (!port)
    throw new RuntimeError(
      'CACHE_UNAVAILABLE',
      `Tenant ${tenantId} has no running Varnish; enable the cache (ensureVarnish) before purging.`,
      { details: { running: false } },
    );
  return port;
}

function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('cache request timed out')));
    req.on('error', (err) =>
      reject(
        new RuntimeError('CACHE_UNAVAILABLE', `Varnish did not answer on 127.0.0.1:${port}: ${err.message}`, {
          cause: err,
          details: { running: false },
        }),
      ),
    );
    req.end();
  });
}

/**
 * purgeCache drops one cached URL (`http(s)://host/path?query`) from the tenant's Varnish. The request goes
 * through the published cache port, so it arrives from the bridge gateway the VCL's ACL allows, and carries
 * the tenant's purge token.
 */
export async function purgeCache(ctx: DockerDriver, params: { tenantId: string; url: string }): Promise<void> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  let url: URL;
  try {
    url = new URL(params.url);
  } catch (cause) {
    throw new RuntimeError('INVALID_INPUT', `Invalid URL to purge: ${JSON.stringify(params.url)}`, { cause });
  }
  const host = assertHostname(url.hostname);
  const port = await cachePort(ctx, tenantId);
  const token = await readOrCreateSecret(ctx, tenantId, PURGE_TOKEN_SECRET);
  const res = await send(port, 'PURGE', `${url.pathname}${url.search}`, { Host: host, 'X-Berth-Purge-Token': token });
  if (res.status !== 200)
    throw new RuntimeError(
      'CACHE_UNAVAILABLE',
      `Varnish refused PURGE ${params.url} (HTTP ${res.status}); check the tenant's cache container.`,
    );
}

/**
 * banCache invalidates every cached object of a host and/or whose URL matches a regex (at least one is
 * needed). Inputs are asserted so nothing can break out of the ban expression.
 */
export async function banCache(
  ctx: DockerDriver,
  params: { tenantId: string; host?: string; urlRegex?: string },
): Promise<void> {
  const tenantId = assertSlug(params.tenantId, 'tenant id');
  if (params.host === undefined && params.urlRegex === undefined) {
    throw new RuntimeError('INVALID_INPUT', 'banCache needs a host, a URL regex or both.');
  }
  const headers: Record<string, string> = {
    'X-Berth-Purge-Token': await readOrCreateSecret(ctx, tenantId, PURGE_TOKEN_SECRET),
  };
  if (params.host !== undefined) headers['X-Berth-Ban-Host'] = assertHostname(params.host);
  if (params.urlRegex !== undefined) headers['X-Berth-Ban-Url'] = assertBanRegex(params.urlRegex);
  const port = await cachePort(ctx, tenantId);
  const res = await send(port, 'BAN', '/', { Host: params.host ?? 'ban.invalid', ...headers });
  if (res.status !== 200)
    throw new RuntimeError(
      'CACHE_UNAVAILABLE',
      `Varnish refused the BAN (HTTP ${res.status}): ${res.body.slice(0, 200)}`,
    );
}

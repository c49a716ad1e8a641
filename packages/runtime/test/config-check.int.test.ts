import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  renderApacheConfig,
  renderNginxConfig,
  renderPhpFpmConfig,
  renderVarnishVcl,
  resolveImage,
  type DockerDriver,
  type PhpSite,
} from '../src/index.js';
import { ACME_BOUNDS, ACME_SITES } from '../src/config/__golden__/fixtures.js';
import { newDriver, requireImages } from './helpers.js';

// Every generator's output is checked by the server that will run it, inside its own image.

let ctx: DockerDriver;
let cleanup: () => Promise<void>;
let dir: string;

async function runCheck(
  image: string,
  cmd: string[],
  binds: string[],
  extra: { ExtraHosts?: string[]; User?: string; Entrypoint?: string[] } = {},
): Promise<{ code: number; output: string }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const [res, container] = (await ctx.docker.run(image, cmd, out, {
    HostConfig: { Binds: binds, AutoRemove: false, ExtraHosts: extra.ExtraHosts ?? [], NetworkMode: 'none' },
    Labels: { 'berth.managed': 'true', 'berth.role': 'config-check' },
    ...(extra.User ? { User: extra.User } : {}),
    ...(extra.Entrypoint ? { Entrypoint: extra.Entrypoint } : {}),
  })) as [{ StatusCode: number }, { remove: (o: object) => Promise<unknown> }];
  await container.remove({ force: true });
  return { code: res.StatusCode, output: Buffer.concat(chunks).toString('utf8') };
}

beforeAll(async () => {
  ({ ctx, cleanup } = await newDriver());
  await requireImages(ctx, [
    { role: 'webserver', kind: 'nginx' },
    { role: 'webserver', kind: 'apache' },
    { role: 'varnish' },
    { role: 'php-fpm', version: '7.4' },
    { role: 'php-fpm', version: '8.2' },
    { role: 'php-fpm', version: '8.4' },
  ]);
  dir = await mkdtemp(join(tmpdir(), 'berth-cfgcheck-'));
  await chmod(dir, 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await cleanup();
});

describe('generated configs pass their server’s own check', () => {
  it('nginx -t accepts the nginx vhosts', async () => {
    await writeFile(join(dir, 'berth.conf'), renderNginxConfig({ tenantId: 'acme', sites: ACME_SITES }));
    const r = await runCheck(
      resolveImage('local', { role: 'webserver', kind: 'nginx' }).image,
      ['nginx', '-t'],
      [`${dir}/berth.conf:/etc/nginx/conf.d/berth.conf:ro`],
    );
    expect(r.output).toContain('test is successful');
    expect(r.code).toBe(0);
  });

  it('httpd -t accepts the apache config', async () => {
    await writeFile(join(dir, 'httpd.conf'), renderApacheConfig({ tenantId: 'acme', sites: ACME_SITES }));
    const r = await runCheck(
      resolveImage('local', { role: 'webserver', kind: 'apache' }).image,
      ['httpd', '-t', '-f', '/usr/local/apache2/conf/berth/httpd.conf'],
      [`${dir}/httpd.conf:/usr/local/apache2/conf/berth/httpd.conf:ro`],
    );
    expect(r.output).toContain('Syntax OK');
    expect(r.code).toBe(0);
  });

  it.each(['7.4', '8.2', '8.4'] as const)('php-fpm -t accepts the PHP %s pools', async (version) => {
    const sites = ACME_SITES.filter((s): s is PhpSite => s.kind === 'php').map((s) => ({ ...s, version }));
    const poolDir = join(dir, `php-${version}`);
    await mkdir(poolDir, { mode: 0o755 });
    await writeFile(
      join(poolDir, 'berth.conf'),
      renderPhpFpmConfig({ tenantId: 'acme', version, sites, bounds: ACME_BOUNDS }),
    );
    // Mounted as the whole pool dir, as ensurePhpFpm does, and run as a tenant uid.
    const r = await runCheck(
      resolveImage('local', { role: 'php-fpm', version }).image,
      ['php-fpm', '-t'],
      [`${poolDir}:/usr/local/etc/php-fpm.d:ro`],
      {
        User: '10001:10001',
      },
    );
    expect(r.output).toMatch(/test is successful/);
    expect(r.code).toBe(0);
  });

  it('varnishd -C compiles the VCL', async () => {
    await writeFile(
      join(dir, 'default.vcl'),
      renderVarnishVcl({ tenantId: 'acme', purgeAllowFrom: ['172.18.0.1'], purgeToken: 'b'.repeat(48) }),
    );
    const r = await runCheck(
      resolveImage('local', { role: 'varnish' }).image,
      ['varnishd', '-C', '-f', '/etc/varnish/default.vcl'],
      [`${dir}/default.vcl:/etc/varnish/default.vcl:ro`],
      {
        ExtraHosts: ['web:127.0.0.1'],
      },
    );
    expect(r.output).toContain('VRT_');
    expect(r.code).toBe(0);
  });
});

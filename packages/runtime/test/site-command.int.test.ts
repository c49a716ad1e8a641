import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  SITES_MOUNT,
  ensureTenantRuntime,
  execInContainer,
  isRuntimeError,
  observe,
  removeTenant,
  sitesDir,
  type DockerDriver,
  type TenantRuntimeSpec,
} from '../src/index.js';
import { runSiteCommand, type SiteCommandParams, type SiteCommandResult } from '../src/operations/site-command.js';
import { BOUNDS, LIMITS, TENANT_LIMITS, freePort, newDriver, requireImages, uniqueTenantId } from './helpers.js';

// Cron-style commands in a tenant's running containers on the real engine: tenant A has a PHP 8.2 site and a
// Node 20 app, tenant B a PHP 8.2 site. Everything is removed at the end, one container at a time.

const A = uniqueTenantId('tsa');
const B = uniqueTenantId('tsb');
const UID_A = 20_101;
const UID_B = 20_102;
const PHP_SETTINGS = {
  memoryLimitMb: 128,
  uploadMaxMb: 8,
  postMaxMb: 8,
  maxExecutionSeconds: 30,
  displayErrors: false,
};

let ctx: DockerDriver;
let cleanup: (() => Promise<void>) | undefined;

function spec(tenantId: string, uid: number, port: number, withApp: boolean): TenantRuntimeSpec {
  return {
    tenant: { tenantId, uid, gid: uid },
    webserver: { kind: 'nginx', port, limits: LIMITS },
    sites: [
      {
        kind: 'php',
        siteId: 'blog',
        hostnames: [`blog.${tenantId}.test`],
        version: '8.2',
        documentRoot: '',
        php: PHP_SETTINGS,
      },
      ...(withApp
        ? [
            {
              kind: 'node' as const,
              siteId: 'api',
              hostnames: [`api.${tenantId}.test`],
              version: '20',
              command: ['node', 'server.js'],
              port: 3000,
            },
          ]
        : []),
    ],
    php: { bounds: BOUNDS, limits: LIMITS },
    appLimits: LIMITS,
    limits: TENANT_LIMITS,
  };
}

/** inA runs a command in tenant A's PHP 8.2 container, in its blog site, with defaults a test may override. */
function inA(command: string, over: Partial<SiteCommandParams> = {}): Promise<SiteCommandResult> {
  return runSiteCommand(ctx, {
    tenantId: A,
    component: 'php-8.2',
    uid: UID_A,
    gid: UID_A,
    cwd: `${SITES_MOUNT}/blog`,
    command,
    timeoutMs: 20_000,
    maxOutputBytes: 64 * 1024,
    ...over,
  });
}

/** liveProcesses lists `pid state comm` of the container's processes that are not zombies. */
async function liveProcesses(tenantId: string, component: string): Promise<string[]> {
  const seen = await observe(ctx, { tenantId });
  const container = seen.containers.find((c) => c.component === component && c.running);
  if (!container) throw new Error(`no running ${component} container for ${tenantId}`);
  const res = await execInContainer(ctx, container.id, [
    'sh',
    '-c',
    'for s in /proc/[0-9]*/stat; do cat "$s" 2>/dev/null; echo; done',
  ]);
  return res.stdout
    .split('\n')
    .map((line) => /^(\d+) \((.*)\) (\S)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[3] !== 'Z')
    .map((m) => `${m[1]} ${m[3]} ${m[2]}`);
}

beforeAll(async () => {
  ({ ctx, cleanup } = await newDriver());
  await requireImages(ctx, [
    { role: 'webserver', kind: 'nginx' },
    { role: 'php-fpm', version: '8.2' },
    { role: 'app', kind: 'node', version: '20' },
  ]);
  for (const [tenantId, files] of [
    [
      A,
      {
        'blog/index.php': '<?php echo "a";',
        'api/server.js': "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT));",
      },
    ],
    [B, { 'blog/index.php': '<?php echo "b";', 'blog/secret.txt': 'B only' }],
  ] as const) {
    for (const [rel, content] of Object.entries(files)) {
      const path = join(sitesDir(ctx, tenantId), rel);
      await mkdir(join(path, '..'), { recursive: true, mode: 0o755 });
      await writeFile(path, content, { mode: 0o644 });
    }
  }
  await ensureTenantRuntime(ctx, spec(A, UID_A, await freePort(), true));
  await ensureTenantRuntime(ctx, spec(B, UID_B, await freePort(), false));
});

afterAll(async () => {
  if (ctx) {
    await removeTenant(ctx, { tenantId: A, deleteSiteFiles: true });
    await removeTenant(ctx, { tenantId: B, deleteSiteFiles: true });
  }
  await cleanup?.();
});

describe('runSiteCommand in a tenant container', () => {
  it("writes into the site's directory as the tenant's uid", async () => {
    const before = Date.now();
    const res = await inA('date -u +%Y-%m-%dT%H:%M:%SZ > ran-at.txt');
    expect(res).toMatchObject({ exitCode: 0, output: '', timedOut: false, truncated: false });
    const file = join(sitesDir(ctx, A), 'blog', 'ran-at.txt');
    const st = await stat(file);
    expect([st.uid, st.gid]).toEqual([UID_A, UID_A]);
    const written = Date.parse((await readFile(file, 'utf8')).trim());
    expect(written).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(written).toBeLessThanOrEqual(Date.now());
    expect(res.startedAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('runs as the tenant, never root, in the given directory, with the given env', async () => {
    const res = await inA('id -u; id -g; pwd; echo "$GREETING"', { env: { GREETING: 'hello cron' } });
    expect(res.output).toBe(`${UID_A}\n${UID_A}\n${SITES_MOUNT}/blog\nhello cron\n`);
  });

  it("runs in a Node app's container too", async () => {
    const res = await runSiteCommand(ctx, {
      tenantId: A,
      component: 'app-api',
      uid: UID_A,
      gid: UID_A,
      cwd: `${SITES_MOUNT}/api`,
      command: 'id -u; pwd; node -e "console.log(1 + 1)"',
      timeoutMs: 20_000,
      maxOutputBytes: 4096,
    });
    expect(res).toMatchObject({ exitCode: 0, output: `${UID_A}\n${SITES_MOUNT}/api\n2\n` });
  });

  it("captures a failing command's exit code and both output streams", async () => {
    const res = await inA('echo out; echo err >&2; exit 3');
    expect(res.exitCode).toBe(3);
    expect(res.output.split('\n').filter(Boolean).sort()).toEqual(['err', 'out']);
    expect(res).toMatchObject({ timedOut: false, truncated: false });
  });

  it('keeps only the last maxOutputBytes of a command printing 5 MB', async () => {
    const res = await inA("head -c 5000000 /dev/zero | tr '\\0' x; echo; echo END", { maxOutputBytes: 65_536 });
    expect(res.exitCode).toBe(0);
    expect(res.truncated).toBe(true);
    expect(Buffer.byteLength(res.output)).toBe(65_536);
    expect(res.output.endsWith('xxx\nEND\n')).toBe(true);
  });

  it('cuts a long multi-byte output on a character boundary (valid UTF-8)', async () => {
    // 10 bytes a line: ü (2) € (3) 😀 (4) \n; 65_537 is not a multiple, so the cut falls inside a character.
    const res = await inA("yes 'ü€😀' | head -n 300000", { maxOutputBytes: 65_537 });
    expect(res.truncated).toBe(true);
    expect(Buffer.byteLength(res.output)).toBeLessThanOrEqual(65_537);
    expect(Buffer.byteLength(res.output)).toBeGreaterThan(65_537 - 4);
    expect(res.output).not.toContain('\uFFFD');
    expect(res.output.endsWith('ü€😀\nü€😀\n')).toBe(true);
  });

  it('kills a command and its backgrounded child at the timeout', async () => {
    const res = await inA('sleep 300 & sleep 30', { timeoutMs: 2_000 });
    expect(res).toMatchObject({ timedOut: true, exitCode: 124 });
    expect(res.durationMs).toBeGreaterThanOrEqual(2_000);
    expect(res.durationMs).toBeLessThan(7_000);
    expect((await liveProcesses(A, 'php-8.2')).filter((p) => p.endsWith(' sleep'))).toEqual([]);
  });

  it('kills a command that ignores SIGTERM with SIGKILL 5 s after the timeout', async () => {
    const res = await inA('trap "" TERM; sleep 300 & sleep 30', { timeoutMs: 2_000 });
    expect(res).toMatchObject({ timedOut: true, exitCode: 137 });
    expect(res.durationMs).toBeGreaterThanOrEqual(6_500);
    expect(res.durationMs).toBeLessThan(12_000);
    expect((await liveProcesses(A, 'php-8.2')).filter((p) => p.endsWith(' sleep'))).toEqual([]);
  });

  it('does not leave a backgrounded child running after the command ends in time', async () => {
    const res = await inA('sleep 300 & echo started');
    expect(res).toMatchObject({ exitCode: 0, output: 'started\n', timedOut: false });
    expect(res.durationMs).toBeLessThan(2_000);
    expect((await liveProcesses(A, 'php-8.2')).filter((p) => p.endsWith(' sleep'))).toEqual([]);
  });

  it('leaves no zombie in a Node.js app container after a job killed at its timeout (its init reaps them)', async () => {
    const res = await inA('sleep 300 & sleep 30', {
      component: 'app-api',
      cwd: `${SITES_MOUNT}/api`,
      timeoutMs: 2_000,
    });
    expect(res).toMatchObject({ timedOut: true });
    const seen = await observe(ctx, { tenantId: A });
    const app = seen.containers.find((c) => c.component === 'app-api' && c.running)!;
    const all = await execInContainer(ctx, app.id, ['sh', '-c', 'cat /proc/[0-9]*/stat 2>/dev/null; true']);
    const zombies = all.stdout.split('\n').filter((line) => /^\d+ \(.*\) Z /.test(line));
    expect(zombies).toEqual([]);
  });

  it("cannot reach another tenant's files", async () => {
    const hostB = join(sitesDir(ctx, B), 'blog');
    const res = await inA(
      `cat ${SITES_MOUNT}/../../${hostB}/secret.txt; echo x > ${hostB}/pwned.txt; ls /srv/sites; cat ${SITES_MOUNT}/blog/secret.txt`,
    );
    expect(res.exitCode).not.toBe(0);
    expect(res.output).not.toContain('B only');
    expect(existsSync(join(hostB, 'pwned.txt'))).toBe(false);
    // B's sites are not in A's container at all: only A's own sites are under SITES_MOUNT.
    const listing = await inA(`ls ${SITES_MOUNT}`);
    expect(listing.output.split('\n').filter(Boolean).sort()).toEqual(['api', 'blog']);
    const write = await inA(`echo x > ${hostB}/pwned.txt`);
    expect(write.exitCode).not.toBe(0);
    expect(existsSync(join(hostB, 'pwned.txt'))).toBe(false);
  });

  it("says so when the directory does not exist in the tenant's container", async () => {
    const res = await inA('pwd', { cwd: `${SITES_MOUNT}/shop` });
    expect(res.exitCode).toBe(126);
    expect(res.output).toContain(`cannot enter ${SITES_MOUNT}/shop`);
  });

  it("refuses a uid that is not the container's own", async () => {
    const err = await inA('id -u', { uid: UID_B, gid: UID_B }).catch((e: unknown) => e);
    expect(isRuntimeError(err, 'INVALID_INPUT')).toBe(true);
  });

  it.each<[string, Partial<SiteCommandParams>]>([
    ['a cwd outside the sites', { cwd: '/etc' }],
    ['a cwd that climbs out', { cwd: `${SITES_MOUNT}/blog/../../etc` }],
    ['a relative cwd', { cwd: 'blog' }],
    ['the sites root itself', { cwd: SITES_MOUNT }],
    ['a cwd with a newline', { cwd: `${SITES_MOUNT}/blog\nx` }],
    ['root', { uid: 0, gid: 0 }],
    ['a lower-case env name', { env: { path: '/tmp' } }],
    ['an env name with a dash', { env: { 'MY-VAR': '1' } }],
    ['an empty command', { command: '  ' }],
    ['a NUL in the command', { command: 'echo a\0b' }],
    ['a command over 4096 characters', { command: `echo ${'x'.repeat(4100)}` }],
    ['a timeout under a second', { timeoutMs: 10 }],
    ['a non-integer output limit', { maxOutputBytes: 1.5 }],
  ])('refuses %s', async (_what, over) => {
    const err = await inA(over.command ?? 'true', over).catch((e: unknown) => e);
    expect(isRuntimeError(err, 'INVALID_INPUT'), String(err)).toBe(true);
  });

  it('refuses, saying the site is not running, when its container is missing or stopped', async () => {
    const missing = await inA('true', { component: 'app-nope' }).catch((e: unknown) => e);
    expect(isRuntimeError(missing, 'CONTAINER_FAILED')).toBe(true);
    expect((missing as Error).message).toMatch(/not running/);

    const seen = await observe(ctx, { tenantId: A });
    const app = seen.containers.find((c) => c.component === 'app-api');
    await ctx.docker.getContainer(app!.id).stop({ t: 1 });
    const stopped = await runSiteCommand(ctx, {
      tenantId: A,
      component: 'app-api',
      uid: UID_A,
      gid: UID_A,
      cwd: `${SITES_MOUNT}/api`,
      command: 'true',
      timeoutMs: 5_000,
      maxOutputBytes: 1024,
    }).catch((e: unknown) => e);
    expect(isRuntimeError(stopped, 'CONTAINER_FAILED')).toBe(true);
    expect((stopped as { details?: { reason?: string } }).details?.reason).toBe('not-running');
  });
});

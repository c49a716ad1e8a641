import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveImage } from '../src/catalog.js';
import { releaseTenantsRoot } from '../src/disk/shared-mount.js';
import { createDockerDriver } from '../src/docker/docker.driver.js';
import { tenantsRoot } from '../src/layout.js';
import type { DockerDriver } from '../src/runtime.types.js';
import {
  ensureSftpServer,
  removeSftpServer,
  sftpContainerName,
  sftpPaths,
  sftpServerStatus,
  type SftpAccount,
  type SftpServerSpec,
} from '../src/operations/sftp.js';

// The SFTP server on the real engine with a throwaway data dir, driven by Debian's own sftp, ssh, ssh-keyscan and
// sshpass: two tenants (distinct uids, a file each), a password account each and a key for tenant A. What a user
// notices: uploads land in their own sites/ as their tenant's uid; `/` is their tenant's directory, never another
// tenant's or the server's; no shell and no forwarding; locking ends an open session; wrong passwords lock an
// account for a while; the host key survives a new container. afterAll removes the container, its network, the
// generated files and host keys, the tenants' shared bind and the data dir; every client it started is ended.

const PW_A = 'correct horse A';
const PW_B = 'battery staple B';
const UID_A = 61001;
const UID_B = 61002;
const SSH_OPTS = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'];
const PASSWORD_ONLY = ['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password'];
const ONE_PROMPT = ['-o', 'NumberOfPasswordPrompts=1'];

let ctx: DockerDriver;
let work: string;
let port: number;
let tenantA: string;
let tenantB: string;
let accountA: SftpAccount;
let accountB: SftpAccount;
let keyPath: string;
const started: ChildProcess[] = [];

// The module's own imports only (not ../src/index.js through ./helpers.js), so this file runs on its own.

/** freePort asks the kernel for a currently free loopback port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** run starts a program (no shell), closes its stdin unless `input` is given, and collects its output. */
function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    started.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    // A program that exits before reading its stdin (a refused login) closes the pipe: not an error here.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** sftpWithPassword runs a batch of sftp commands as `login` with a password (sshpass answers the prompt). */
async function sftpWithPassword(login: string, password: string, commands: string[], extra: string[] = []) {
  const batch = join(work, `batch-${Math.random().toString(36).slice(2)}`);
  await writeFile(batch, `${commands.join('\n')}\n`);
  return run('sshpass', [
    '-p',
    password,
    'sftp',
    '-P',
    String(port),
    ...SSH_OPTS,
    ...PASSWORD_ONLY,
    ...extra,
    '-o',
    'BatchMode=no',
    '-b',
    batch,
    `${login}@127.0.0.1`,
  ]);
}

/** sftpWithKey runs a batch of sftp commands as `login` with the test's ed25519 key only. */
async function sftpWithKey(login: string, commands: string[]) {
  const batch = join(work, `batch-${Math.random().toString(36).slice(2)}`);
  await writeFile(batch, `${commands.join('\n')}\n`);
  return run('sftp', [
    '-P',
    String(port),
    ...SSH_OPTS,
    '-i',
    keyPath,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'PasswordAuthentication=no',
    '-b',
    batch,
    `${login}@127.0.0.1`,
  ]);
}

interface Session {
  child: ChildProcess;
  closed: Promise<void>;
  /** list asks the server for the sites listing; resolves true when it answered, false when the session ended. */
  list: () => Promise<boolean>;
}

/**
 * openSession starts an interactive sftp session as `login` and resolves once the server listed `/sites`, where
 * `marker` is (sftp's own `pwd` is answered by the client, so a listing is the round trip).
 */
async function openSession(login: string, password: string, marker: string): Promise<Session> {
  const child = spawn(
    'sshpass',
    ['-p', password, 'sftp', '-P', String(port), ...SSH_OPTS, ...PASSWORD_ONLY, `${login}@127.0.0.1`],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  started.push(child);
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const listings = () => out.split(`/sites/${marker}`).length - 1;
  const list = async (): Promise<boolean> => {
    const before = listings();
    child.stdin!.write('ls -1 /sites\n');
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (listings() > before) return true;
      if (!isAlive(child)) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`sftp session of ${login} neither answered nor ended: ${out}`);
  };
  if (!(await list())) throw new Error(`no sftp session for ${login}: ${out}`);
  return { child, closed, list };
}

/** answers is what the server sent back in a batch run: sftp echoes each command as `sftp> …`, left out here. */
function answers(res: Run): string {
  return res.stdout
    .split('\n')
    .filter((l) => !l.startsWith('sftp> '))
    .join('\n');
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function withinMs<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

async function opensslHash(password: string, salt: string): Promise<string> {
  const res = await run('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: `${password}\n` });
  if (res.code !== 0) throw new Error(`openssl passwd failed: ${res.stderr}`);
  return res.stdout.trim();
}

async function hostKeys(): Promise<string[]> {
  const res = await run('ssh-keyscan', ['-p', String(port), '-t', 'ed25519,rsa', '127.0.0.1']);
  return res.stdout
    .split('\n')
    .filter((l) => l.startsWith('['))
    .map((l) => l.split(' ').slice(1).join(' '))
    .sort();
}

async function makeTenant(id: string, uid: number, file: string): Promise<void> {
  const dir = join(tenantsRoot(ctx.dataDir), id);
  await mkdir(join(dir, 'sites'), { recursive: true, mode: 0o755 });
  await chown(join(dir, 'sites'), uid, uid);
  await writeFile(join(dir, 'sites', file), `${id}\n`);
  await chown(join(dir, 'sites', file), uid, uid);
}

function spec(extra: Partial<SftpServerSpec> = {}): SftpServerSpec {
  return { port, bindAddress: '127.0.0.1', accounts: [accountA, accountB], ...extra };
}

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-sftp-'));
  ctx = createDockerDriver({ dataDir, profile: 'local' });
  const image = resolveImage(ctx.profile, { role: 'sftp' });
  // Fails (never skips) when the image is missing.
  await ctx.docker
    .getImage(image.image)
    .inspect()
    .catch(() => {
      throw new Error(`Missing image ${image.image}: bash docker/build.sh ${image.buildTarget}`);
    });
  work = join(ctx.dataDir, 'client');
  await mkdir(work, { mode: 0o700 });
  tenantA = `sa-${randomBytes(4).toString('hex')}`;
  tenantB = `sb-${randomBytes(4).toString('hex')}`;
  await makeTenant(tenantA, UID_A, 'a-only.txt');
  await makeTenant(tenantB, UID_B, 'b-only.txt');
  keyPath = join(work, 'id_ed25519');
  const keygen = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tenant a laptop', '-f', keyPath]);
  expect(keygen.code).toBe(0);
  accountA = {
    login: 'alice',
    tenantId: tenantA,
    uid: UID_A,
    gid: UID_A,
    passwordHash: await opensslHash(PW_A, 'saltA12345678901'),
    authorizedKeys: [],
    locked: false,
  };
  accountB = {
    login: 'bob',
    tenantId: tenantB,
    uid: UID_B,
    gid: UID_B,
    passwordHash: await opensslHash(PW_B, 'saltB'),
    authorizedKeys: [],
    locked: false,
  };
  port = await freePort();
});

afterAll(async () => {
  for (const c of started) if (isAlive(c)) c.kill('SIGKILL');
  if (ctx) {
    await removeSftpServer(ctx, { deleteHostKeys: true });
    await releaseTenantsRoot(ctx);
    await rm(ctx.dataDir, { recursive: true, force: true });
  }
});

describe('SFTP server', () => {
  it('starts on the given loopback port, and a second pass with the same spec changes nothing', async () => {
    expect(await ensureSftpServer(ctx, spec())).toEqual({ action: 'created' });
    expect(await ensureSftpServer(ctx, spec())).toEqual({ action: 'unchanged' });
    expect(await sftpServerStatus(ctx)).toEqual({ running: true, port });
    const info = await ctx.docker.getContainer(sftpContainerName(ctx)).inspect();
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.CapAdd).not.toContain('DAC_OVERRIDE');
    expect(info.HostConfig.PortBindings?.['2222/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(port) }]);
  });

  it("uploads with a password into the tenant's own sites, as the tenant's uid", async () => {
    const local = join(work, 'upload.txt');
    await writeFile(local, 'uploaded by alice\n');
    const res = await sftpWithPassword('alice', PW_A, ['pwd', `put ${local} upload.txt`, 'ls -l']);
    expect(res.stderr).not.toMatch(/denied|failure/i);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Remote working directory: /sites');
    const onHost = join(tenantsRoot(ctx.dataDir), tenantA, 'sites', 'upload.txt');
    expect(await readFile(onHost, 'utf8')).toBe('uploaded by alice\n');
    const st = await stat(onHost);
    expect([st.uid, st.gid]).toEqual([UID_A, UID_A]);
    expect(st.mode & 0o777).toBe(0o644); // internal-sftp -u 0022
  });

  it("keeps `/` inside the tenant's directory: never the other tenant's files or the server's", async () => {
    const stolen = join(work, 'stolen');
    const res = await sftpWithPassword('alice', PW_A, [
      'cd /',
      'ls -1a',
      'ls -1a /..',
      `-get /../../etc/passwd ${stolen}-passwd`,
      `-get /../${tenantB}/sites/b-only.txt ${stolen}-b`,
      `-get ../../${tenantB}/sites/b-only.txt ${stolen}-b2`,
      '-ls /etc',
      `-ls /../${tenantB}`,
      'ls -1 /sites',
    ]);
    expect(res.code).toBe(0);
    const seen = answers(res);
    expect(seen).toMatch(/^sites$/m);
    expect(seen).toMatch(/^\/\.\.\/sites$/m); // `/..` is `/` again
    expect(seen).toContain('/sites/a-only.txt');
    expect(seen).not.toContain('b-only.txt');
    expect(seen).not.toContain(tenantB);
    expect(seen).not.toMatch(/\broot:/);
    // Every escape was refused by the server.
    expect(res.stderr).toMatch(/not found|No such file/i);
    await expect(stat(`${stolen}-passwd`)).rejects.toThrow(/ENOENT/);
    await expect(stat(`${stolen}-b`)).rejects.toThrow(/ENOENT/);
    await expect(stat(`${stolen}-b2`)).rejects.toThrow(/ENOENT/);
  });

  it("gives the other tenant's login its own files only", async () => {
    const res = await sftpWithPassword('bob', PW_B, [
      'ls -1 /sites',
      `-get /../${tenantA}/sites/upload.txt ${join(work, 'from-a')}`,
    ]);
    expect(res.code).toBe(0);
    expect(answers(res)).toContain('/sites/b-only.txt');
    expect(answers(res)).not.toContain('a-only.txt');
    expect(answers(res)).not.toContain('upload.txt');
    await expect(stat(join(work, 'from-a'))).rejects.toThrow(/ENOENT/);
    // And A's password is not B's.
    const wrong = await sftpWithPassword('bob', PW_A, ['ls'], ONE_PROMPT);
    expect(wrong.code).not.toBe(0);
  });

  it('signs in with a key once the key is added (a reload, not a new container)', async () => {
    expect((await sftpWithKey('alice', ['ls'])).code).not.toBe(0);
    accountA = { ...accountA, authorizedKeys: [await readFile(`${keyPath}.pub`, 'utf8')] };
    expect(await ensureSftpServer(ctx, spec())).toEqual({ action: 'reloaded' });
    const res = await sftpWithKey('alice', ['pwd', 'ls -1']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('a-only.txt');
    // The key is alice's only.
    expect((await sftpWithKey('bob', ['ls'])).code).not.toBe(0);
  });

  it('gives no shell and refuses port forwarding both ways', async () => {
    const cmd = await run('sshpass', [
      '-p',
      PW_A,
      'ssh',
      '-p',
      String(port),
      ...SSH_OPTS,
      ...PASSWORD_ONLY,
      'alice@127.0.0.1',
      'id; cat /etc/passwd',
    ]);
    expect(cmd.stdout).not.toContain('uid=');
    expect(cmd.stdout).not.toContain('root:');
    const tty = await run('sshpass', [
      '-p',
      PW_A,
      'ssh',
      '-tt',
      '-p',
      String(port),
      ...SSH_OPTS,
      ...PASSWORD_ONLY,
      'alice@127.0.0.1',
    ]);
    expect(tty.stdout).not.toMatch(/[$#] $/m);

    const remote = await run('ssh', [
      '-N',
      '-p',
      String(port),
      ...SSH_OPTS,
      '-i',
      keyPath,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'ExitOnForwardFailure=yes',
      '-R',
      `${await freePort()}:127.0.0.1:22`,
      'alice@127.0.0.1',
    ]);
    expect(remote.code).not.toBe(0);
    expect(remote.stderr).toMatch(/remote port forwarding failed/i);

    // A local forward to sshd's own port inside the container: allowed, it would answer with its banner.
    const local = await freePort();
    const tunnel = spawn(
      'ssh',
      [
        '-N',
        '-p',
        String(port),
        ...SSH_OPTS,
        '-i',
        keyPath,
        '-o',
        'IdentitiesOnly=yes',
        '-L',
        `${local}:127.0.0.1:2222`,
        'alice@127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    started.push(tunnel);
    try {
      const answer = await readThroughTunnel(local);
      expect(answer).not.toContain('SSH-2.0');
    } finally {
      tunnel.kill('SIGTERM');
    }
  });

  it('refuses a locked account, and ends its open session but not the others', async () => {
    const a = await openSession('alice', PW_A, 'a-only.txt');
    const b = await openSession('bob', PW_B, 'b-only.txt');
    accountA = { ...accountA, locked: true };
    expect(await ensureSftpServer(ctx, spec())).toEqual({ action: 'reloaded' });
    // The client notices at its next command: the server has closed the connection.
    expect(await a.list()).toBe(false);
    expect(await withinMs(a.closed, 10_000)).not.toBe('timeout');
    expect(await b.list()).toBe(true);
    expect((await sftpWithPassword('alice', PW_A, ['ls'], ONE_PROMPT)).code).not.toBe(0);
    expect((await sftpWithKey('alice', ['ls'])).code).not.toBe(0);
    expect((await sftpWithPassword('bob', PW_B, ['ls'])).code).toBe(0);
    b.child.stdin!.end('bye\n');
    await withinMs(b.closed, 10_000);
    accountA = { ...accountA, locked: false };
    expect(await ensureSftpServer(ctx, spec())).toEqual({ action: 'reloaded' });
    expect((await sftpWithKey('alice', ['ls'])).code).toBe(0);
  });

  it('refuses even the right password after too many wrong ones, until the lock expires', async () => {
    const throttle = { failures: 3, lockSeconds: 30 };
    expect(await ensureSftpServer(ctx, spec({ throttle }))).toEqual({ action: 'reloaded' });
    for (let i = 0; i < 3; i++) {
      expect((await sftpWithPassword('bob', `wrong ${i}`, ['ls'], ONE_PROMPT)).code).not.toBe(0);
    }
    const locked = await sftpWithPassword('bob', PW_B, ['ls'], ONE_PROMPT);
    expect(locked.code).not.toBe(0);
    // alice's password still works: the lock is per account.
    expect((await sftpWithPassword('alice', PW_A, ['ls'], ONE_PROMPT)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 31_000));
    expect((await sftpWithPassword('bob', PW_B, ['ls'], ONE_PROMPT)).code).toBe(0);
  });

  it('keeps the host keys when the container is recreated on another port', async () => {
    const before = await hostKeys();
    expect(before).toHaveLength(2);
    port = await freePort();
    expect(await ensureSftpServer(ctx, spec())).toEqual({ action: 'recreated' });
    expect(await sftpServerStatus(ctx)).toEqual({ running: true, port });
    expect(await hostKeys()).toEqual(before);
    expect((await sftpWithKey('alice', ['ls'])).code).toBe(0);
  });

  it('removes the container and the generated files but keeps the host keys', async () => {
    await removeSftpServer(ctx);
    expect(await sftpServerStatus(ctx)).toEqual({ running: false });
    const p = sftpPaths(ctx.dataDir);
    await expect(stat(p.etc)).rejects.toThrow(/ENOENT/);
    expect((await stat(join(p.hostKeys, 'ssh_host_ed25519_key'))).mode & 0o777).toBe(0o600);
  });
});

/** readThroughTunnel connects to a local forward and returns what came back before the tunnel closed it. */
async function readThroughTunnel(localPort: number): Promise<string> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const got = await new Promise<string | 'refused'>((resolve) => {
      let data = '';
      const s = connect({ host: '127.0.0.1', port: localPort });
      s.setTimeout(3000, () => s.destroy());
      s.on('data', (c: Buffer) => (data += c.toString('latin1')));
      s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : data));
      s.on('close', () => resolve(data));
    });
    // The client listens only once it has signed in.
    if (got !== 'refused') return got;
    if (Date.now() > deadline) throw new Error('the ssh client never listened on its forward port');
    await new Promise((r) => setTimeout(r, 200));
  }
}

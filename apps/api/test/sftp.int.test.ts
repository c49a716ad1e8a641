import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PanelProcess } from './panel-process.js';

interface Access {
  login: string;
  port: number;
  active: boolean;
  hasPassword: boolean;
}

/**
 * SFTP over the real panel, its OpenSSH container and the real edge (issue 14), with Debian's sftp client: a
 * tenant uploads a file that its site then serves over verified HTTPS through Caddy; `cd /` stays in its own
 * tree; another tenant's credentials cannot see its files; shell and port forwarding are refused; a suspended
 * tenant is locked out until unsuspended.
 */
describe('SFTP access per tenant', () => {
  let panel: PanelProcess;
  let dir: string;
  const t: Record<'a' | 'b', { id: string; siteId: string; host: string; password: string; login: string }> =
    {} as never;

  /** sftp runs a batch of sftp commands as a tenant, with its password; answers status and output. */
  function sftp(who: 'a' | 'b', commands: string[]): { status: number; out: string } {
    const batch = path.join(dir, `batch-${who}-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(batch, `${commands.join('\n')}\n`);
    const res = spawnSync(
      'sshpass',
      [
        '-e',
        'sftp',
        '-P',
        String(panel.sftpPort),
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'PubkeyAuthentication=no',
        '-o',
        'ConnectTimeout=10',
        // -b turns on BatchMode, which would refuse the password sshpass types.
        '-o',
        'BatchMode=no',
        '-b',
        batch,
        `${t[who].login}@127.0.0.1`,
      ],
      { env: { ...process.env, SSHPASS: t[who].password }, encoding: 'utf8', timeout: 30_000, cwd: dir },
    );
    return { status: res.status ?? -1, out: `${res.stdout}${res.stderr}` };
  }

  function ssh(who: 'a', args: string[]): { status: number; out: string } {
    const res = spawnSync(
      'sshpass',
      [
        '-e',
        'ssh',
        '-p',
        String(panel.sftpPort),
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'PubkeyAuthentication=no',
        '-o',
        'ConnectTimeout=10',
        ...args,
        `${t[who].login}@127.0.0.1`,
      ],
      // stdin at its end: a command the server swaps for internal-sftp ends at once instead of waiting.
      { env: { ...process.env, SSHPASS: t[who].password }, encoding: 'utf8', timeout: 30_000, input: '' },
    );
    return { status: res.status ?? -1, out: `${res.stdout}${res.stderr}` };
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-sftp-test-'));
    panel = await PanelProcess.start();
    for (const key of ['a', 'b'] as const) {
      const slug = `sftp${key}`;
      const tenant = await panel.api<{ id: string }>('POST', '/tenants', {
        slug,
        name: slug,
        owner: { email: `owner@${slug}.test`, password: `${slug}-password-123` },
      });
      expect(tenant.status, tenant.text).toBe(201);
      const site = await panel.api<{ id: string }>('POST', '/sites', {
        tenantId: tenant.body.id,
        name: 'www',
        runtime: { kind: 'static' },
      });
      expect(site.status, site.text).toBe(201);
      const host = `www.${slug}.test`;
      expect((await panel.api('POST', `/sites/${site.body.id}/domains`, { hostname: host })).status).toBe(201);
      const password = await panel.api<{ password: string }>('POST', '/sftp/password', { tenantId: tenant.body.id });
      expect(password.status, password.text).toBe(200);
      t[key] = { id: tenant.body.id, siteId: site.body.id, host, password: password.body.password, login: slug };
    }
    await panel.waitFor(
      'the SFTP server to accept tenant A',
      async () => {
        const access = await panel.api<Access>('GET', `/sftp?tenantId=${t.a.id}`);
        return access.body.active && access.body.port === panel.sftpPort && sftp('a', ['pwd']).status === 0;
      },
      120_000,
    );
    await panel.waitFor('site A live', async () => (await panel.https(t.a.host, '/')).status === 200, 120_000);
  }, 300_000);

  afterAll(async () => {
    await panel?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('uploads a file that the site then serves through the edge over HTTPS', async () => {
    fs.writeFileSync(path.join(dir, 'hello.html'), '<h1>uploaded over sftp</h1>\n');
    const res = sftp('a', ['pwd', `cd ${t.a.siteId}/public`, 'put hello.html', 'ls -l']);
    expect(res.status, res.out).toBe(0);
    expect(res.out).toContain('/sites');
    const page = await panel.https(t.a.host, '/hello.html');
    expect(page.status).toBe(200);
    expect(page.body).toBe('<h1>uploaded over sftp</h1>\n');
    // Written as the tenant: the file belongs to the same uid as the site's own files.
    const docroot = path.join(panel.dataDir, 'tenants', t.a.id, 'sites', t.a.siteId, 'public');
    expect(fs.statSync(path.join(docroot, 'hello.html')).uid).toBe(fs.statSync(docroot).uid);
  });

  it('keeps `cd /` inside the tenant, and another tenant out of its files', async () => {
    const root = sftp('a', ['cd /', 'ls -1a', 'cd /etc', 'cd ..', 'cd ..', 'ls -1']);
    expect(root.out).not.toMatch(/passwd|shadow|sftpb|\btenants\b/);
    expect(root.out).toContain('sites');
    const other = sftp('b', [
      `ls /sites/${t.a.siteId}/public`,
      `get /sites/${t.a.siteId}/public/hello.html stolen.html`,
    ]);
    expect(other.out).not.toContain('hello.html\n');
    expect(fs.existsSync(path.join(dir, 'stolen.html'))).toBe(false);
  });

  it('refuses a shell and port forwarding', () => {
    // The same password signs in (sftp works), so what follows is refused by the server's rules, not the login.
    expect(sftp('a', ['pwd']).status).toBe(0);
    const shell = ssh('a', ['-T', 'id']);
    expect(shell.out).not.toMatch(/uid=\d+/);
    // A remote forward is asked for at sign-in: refused, and ssh exits (ExitOnForwardFailure).
    const remote = ssh('a', ['-N', '-o', 'ExitOnForwardFailure=yes', '-R', '127.0.0.1:0:127.0.0.1:9']);
    expect(remote.status).not.toBe(0);
    expect(remote.out).toMatch(/forwarding failed/i);
    // A direct connection through the server (-W, as -L makes per connection): refused by the server.
    const direct = ssh('a', ['-W', '127.0.0.1:22']);
    expect(direct.status).not.toBe(0);
    expect(direct.out).toMatch(/prohibited|open failed/i);
  });

  it('locks a suspended tenant out, and lets it back in when unsuspended', async () => {
    expect((await panel.api('POST', `/tenants/${t.a.id}/suspend`, {})).status).toBe(200);
    await panel.waitFor('tenant A locked out', async () => sftp('a', ['pwd']).status !== 0, 60_000);
    expect((await panel.api<Access>('GET', `/sftp?tenantId=${t.a.id}`)).body.active).toBe(false);
    expect((await panel.api('POST', `/tenants/${t.a.id}/unsuspend`, {})).status).toBe(200);
    await panel.waitFor('tenant A back in', async () => sftp('a', ['pwd']).status === 0, 60_000);
  }, 150_000);
});

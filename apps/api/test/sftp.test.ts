import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SftpPort } from '../src/ports.js';
import { verifySha512Crypt } from '../src/sftp/sha512-crypt.js';
import {
  ADMIN,
  call,
  login,
  makeTenant,
  startPanel,
  type Caller,
  type TenantFixture,
  type TestPanel,
} from './helpers.js';
import { SAMPLE_SSH_KEY } from './route-samples.js';

class FakeSftpPort implements SftpPort {
  converges = 0;
  converge(): void {
    this.converges++;
  }
  async serves(): Promise<boolean> {
    return true;
  }
}

// The SFTP access API over a fake control plane (the real sshd is crossed in sftp.int.test.ts): the password is
// kept only as a crypt hash and shown once, keys are checked, every change asks for a converge and is an event.
describe('SFTP access API', () => {
  let panel: TestPanel;
  let admin: Caller;
  let a: TenantFixture;
  let b: TenantFixture;
  const port = new FakeSftpPort();

  beforeAll(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    a = await makeTenant(panel.app, admin, 'sftpa');
    b = await makeTenant(panel.app, admin, 'sftpb');
    panel.ports.sftp.bind(port);
  });
  afterAll(async () => panel.close());

  it('is off until asked for, then says how to connect', async () => {
    const off = await call(panel.app, a.owner, 'GET', '/api/v1/sftp');
    expect(off.json()).toMatchObject({
      enabled: false,
      login: 'sftpa',
      home: '/sites',
      hasPassword: false,
      active: false,
    });
    const on = await call(panel.app, a.owner, 'PUT', '/api/v1/sftp', { enabled: true });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json()).toMatchObject({ enabled: true, active: false });
    expect(port.converges).toBe(1);
  });

  it('generates a password shown once and keeps only its SHA-512 crypt hash', async () => {
    const res = await call(panel.app, a.owner, 'POST', '/api/v1/sftp/password', {});
    expect(res.statusCode, res.body).toBe(200);
    const { password } = res.json() as { password: string };
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    const row = await panel.db.sftpAccount.findUniqueOrThrow({ where: { tenantId: a.id } });
    expect(row.passwordHash).toMatch(/^\$6\$/);
    expect(verifySha512Crypt(password, row.passwordHash!)).toBe(true);
    const access = await call(panel.app, a.owner, 'GET', '/api/v1/sftp');
    expect(access.body).not.toContain(password);
    expect(access.json()).toMatchObject({ hasPassword: true, active: true });
    const events = await panel.db.event.findMany({ where: { action: 'sftp.password-set', tenantId: a.id } });
    expect(events).toHaveLength(1);
    expect(events[0]!.details).not.toContain(password);
    const short = await call(panel.app, a.owner, 'POST', '/api/v1/sftp/password', { password: 'short' });
    expect(short.statusCode).toBe(400);
  });

  it('adds a key with its fingerprint, refuses a private key or options, and removes it', async () => {
    const added = await call(panel.app, a.owner, 'POST', '/api/v1/sftp/keys', {
      name: 'Laptop',
      publicKey: SAMPLE_SSH_KEY,
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({
      name: 'Laptop',
      type: 'ssh-ed25519',
      fingerprint: expect.stringMatching(/^SHA256:/),
    });
    const twice = await call(panel.app, a.owner, 'POST', '/api/v1/sftp/keys', {
      name: 'Again',
      publicKey: SAMPLE_SSH_KEY,
    });
    expect(twice.statusCode).toBe(400);
    for (const publicKey of [
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      `command="rm -rf /" ${SAMPLE_SSH_KEY}`,
      `${SAMPLE_SSH_KEY}\nssh-ed25519 AAAA`,
    ]) {
      const res = await call(panel.app, a.owner, 'POST', '/api/v1/sftp/keys', { name: 'Bad', publicKey });
      expect(res.statusCode, publicKey).toBe(400);
      expect(
        (res.json() as { error: { details: { issues: { path: string[] }[] } } }).error.details.issues[0]!.path,
      ).toEqual(['publicKey']);
    }
    const id = (added.json() as { id: string }).id;
    expect((await call(panel.app, b.owner, 'DELETE', `/api/v1/sftp/keys/${id}`)).statusCode).toBe(404);
    expect((await call(panel.app, a.owner, 'DELETE', `/api/v1/sftp/keys/${id}`)).statusCode).toBe(200);
    expect(await panel.db.sftpKey.count({ where: { tenantId: a.id } })).toBe(0);
  });

  it('keeps tenants to their own access, and asks administrators which tenant', async () => {
    expect((await call(panel.app, b.owner, 'GET', `/api/v1/sftp?tenantId=${a.id}`)).statusCode).toBe(404);
    expect((await call(panel.app, b.owner, 'PUT', '/api/v1/sftp', { tenantId: a.id, enabled: false })).statusCode).toBe(
      404,
    );
    const noTenant = await call(panel.app, admin, 'GET', '/api/v1/sftp');
    expect(noTenant.statusCode).toBe(400);
    expect((await call(panel.app, admin, 'GET', `/api/v1/sftp?tenantId=${a.id}`)).json()).toMatchObject({
      login: 'sftpa',
    });
  });
});

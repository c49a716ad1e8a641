import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCertificate } from '../src/domains/certificate-check.js';
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

/** selfSigned makes a certificate for `names` with openssl, valid for `days` days from now. */
export function selfSigned(dir: string, names: string[], days = 30): { cert: string; key: string } {
  const keyFile = path.join(dir, `${names[0]}-${days}.key`);
  const certFile = path.join(dir, `${names[0]}-${days}.crt`);
  const san = names.map((n) => `DNS:${n}`).join(',');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${san}`,
      '-days',
      String(days),
    ],
    { stdio: 'ignore' },
  );
  return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
}

describe('custom certificates and on-demand TLS permission', () => {
  let panel: TestPanel;
  let admin: Caller;
  let t: TenantFixture;
  let domainId: string;
  beforeAll(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    t = await makeTenant(panel.app, admin, 'certs');
    const d = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, {
      hostname: 'shop.example.com',
    });
    domainId = (d.json() as { id: string }).id;
  });
  afterAll(async () => {
    await panel.close();
  });

  const upload = (body: unknown) => call(panel.app, t.owner, 'PUT', `/api/v1/domains/${domainId}/certificate`, body);
  const issueOf = async (res: Awaited<ReturnType<typeof upload>>) => {
    expect(res.statusCode).toBe(400);
    const { error } = res.json() as {
      error: { code: string; message: string; details: { issues: { path: string[] }[] } };
    };
    expect(error.code).toBe('VALIDATION_FAILED');
    return { message: error.message, field: error.details.issues[0]!.path[0] };
  };

  it('refuses certificates that cannot serve the hostname, saying why, and changes nothing', async () => {
    const other = selfSigned(panel.dir, ['other.example.com']);
    expect(await issueOf(await upload({ certificatePem: other.cert, privateKeyPem: other.key }))).toMatchObject({
      field: 'certificatePem',
      message: expect.stringMatching(/does not cover shop\.example\.com/),
    });
    const good = selfSigned(panel.dir, ['shop.example.com']);
    const wrongKey = selfSigned(panel.dir, ['shop.example.com', 'x.example.com']);
    expect(await issueOf(await upload({ certificatePem: good.cert, privateKeyPem: wrongKey.key }))).toMatchObject({
      field: 'privateKeyPem',
      message: expect.stringMatching(/does not belong/),
    });
    expect(await issueOf(await upload({ certificatePem: 'hello', privateKeyPem: good.key }))).toMatchObject({
      field: 'certificatePem',
    });
    expect(await issueOf(await upload({ certificatePem: good.cert, privateKeyPem: 'nope' }))).toMatchObject({
      field: 'privateKeyPem',
    });
    // Custom TLS cannot be chosen without a certificate.
    expect((await call(panel.app, t.owner, 'PATCH', `/api/v1/domains/${domainId}`, { tls: 'custom' })).statusCode).toBe(
      400,
    );
    const row = await panel.db.domain.findUniqueOrThrow({ where: { id: domainId } });
    expect(row).toMatchObject({ tlsMode: 'auto', customCertPem: null, customKeyEnc: null });
  });

  it('stores a valid certificate with its key encrypted at rest and reports its status', async () => {
    const good = selfSigned(panel.dir, ['shop.example.com']);
    const res = await upload({ certificatePem: good.cert, privateKeyPem: good.key });
    expect(res.statusCode).toBe(200);
    const status = res.json() as { tls: string; issuer: string; notAfter: string };
    expect(status).toMatchObject({ tls: 'custom', issuer: expect.stringContaining('shop.example.com') });
    expect(new Date(status.notAfter).getTime()).toBeGreaterThan(Date.now() + 20 * 86_400_000);
    const row = await panel.db.domain.findUniqueOrThrow({ where: { id: domainId } });
    const keyBody = good.key.split('\n').slice(1, 3).join('');
    expect(row.customKeyEnc).toMatch(/^v1:/);
    expect(row.customKeyEnc).not.toContain(keyBody.slice(0, 20));
    expect(panel.services.dataKey.decrypt(row.customKeyEnc!)).toContain('BEGIN PRIVATE KEY');
    expect((await call(panel.app, t.owner, 'GET', `/api/v1/domains/${domainId}/certificate`)).json()).toMatchObject({
      tls: 'custom',
    });
    // The secret key file is private to the panel.
    expect(fs.statSync(path.join(panel.dir, 'secrets', 'data.key')).mode & 0o077).toBe(0);
    const removed = await call(panel.app, t.owner, 'DELETE', `/api/v1/domains/${domainId}/certificate`);
    expect(removed.json()).toMatchObject({ tls: 'auto', issuer: null });
  });

  it('refuses an expired certificate and one not valid yet', () => {
    const good = selfSigned(panel.dir, ['shop.example.com'], 2);
    const check = (now: Date) =>
      checkCertificate({ hostname: 'shop.example.com', certificatePem: good.cert, privateKeyPem: good.key, now });
    expect(() => check(new Date(Date.now() + 3 * 86_400_000))).toThrow(/expired/);
    expect(() => check(new Date(Date.now() - 86_400_000))).toThrow(/not valid before/);
    expect(check(new Date()).notAfter.getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses a www twin that another domain already serves, and a twin that is not a hostname', async () => {
    const other = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, {
      hostname: 'www.twin.example.com',
    });
    expect(other.statusCode).toBe(201);
    const twin = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, {
      hostname: 'twin.example.com',
      wwwRedirect: 'www-to-apex',
    });
    expect(twin.statusCode).toBe(409);
    expect(twin.json()).toMatchObject({
      error: { code: 'HOSTNAME_TAKEN', details: { issues: [{ path: ['wwwRedirect'] }] } },
    });
    const apex = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, {
      hostname: 'twin.example.com',
    });
    expect(apex.statusCode).toBe(201);
    // Turning the twin on later collides too, and the domain is left as it was.
    const patch = await call(panel.app, t.owner, 'PATCH', `/api/v1/domains/${apex.json().id}`, {
      wwwRedirect: 'www-to-apex',
    });
    expect(patch.statusCode).toBe(409);
    expect((await call(panel.app, t.owner, 'GET', `/api/v1/domains/${apex.json().id}`)).json()).toMatchObject({
      wwwRedirect: 'none',
    });
    // A new hostname that is an existing domain's twin is taken as well.
    await call(panel.app, t.owner, 'PATCH', `/api/v1/domains/${domainId}`, { wwwRedirect: 'apex-to-www' });
    expect(
      (
        await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, {
          hostname: 'www.shop.example.com',
        })
      ).statusCode,
    ).toBe(409);
    const bad = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/domains`, {
      hostname: 'www.example',
      wwwRedirect: 'www-to-apex',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { issues: [{ path: ['wwwRedirect'] }] } },
    });
  });

  it('refuses hostile 64 KiB PEM input (openings without an end) with the PEM error, and reads real chains as before', async () => {
    const good = selfSigned(panel.dir, ['shop.example.com']);
    const begin = '-----BEGIN CERTIFICATE-----';
    const fill = (unit: string) => unit.repeat(Math.floor(65_536 / unit.length));
    // Each of these used to cost the backtracking regex a scan to the end from every opening (quadratic).
    for (const hostile of [
      fill(begin),
      fill(`${begin}\n`),
      fill(`${begin}A`),
      `${begin}\n${'A'.repeat(65_000)}`,
      fill('-----BEGIN CERTIFICATE----'),
    ]) {
      expect(hostile.length).toBeLessThanOrEqual(65_536);
      expect(await issueOf(await upload({ certificatePem: hostile, privateKeyPem: good.key }))).toMatchObject({
        field: 'certificatePem',
        message: expect.stringMatching(/PEM form/),
      });
    }
    // An opening inside a block is part of that block, and that block does not parse.
    expect(
      await issueOf(await upload({ certificatePem: `${begin}\n${good.cert}`, privateKeyPem: good.key })),
    ).toMatchObject({ field: 'certificatePem', message: expect.stringMatching(/could not be parsed/) });
    // Text around and between blocks is ignored; the leaf comes first.
    const other = selfSigned(panel.dir, ['other.example.com']);
    const checked = checkCertificate({
      hostname: 'shop.example.com',
      certificatePem: `Subject: shop\n${good.cert}between\n${other.cert}trailing`,
      privateKeyPem: good.key,
    });
    expect(checked.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(checked.chainPem.startsWith(good.cert.trim().split('\n').slice(0, 2).join('\n'))).toBe(true);
  });
});

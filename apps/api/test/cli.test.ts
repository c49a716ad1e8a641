import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createDb, type Db } from '@berth/db';
import { buildApp } from '../src/app.js';
import { MIGRATIONS } from '../src/paths.js';
import { bearer, call } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** berth runs the host CLI exactly as `pnpm berth …` does, against the given data dir. */
function berth(dataDir: string, ...args: string[]) {
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'apps/api/src/cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, BERTH_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('berth CLI', () => {
  let dir: string;
  let db: Db;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cli-'));
  });
  afterAll(async () => {
    await db?.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates an admin, resets a password and mints a token printed once that the API accepts', async () => {
    const created = berth(dir, 'create-admin', '--email', 'Root@Example.test');
    expect(created.code).toBe(0);
    const password = /password: (\S+)/.exec(created.stdout)?.[1];
    expect(password).toBeDefined();
    expect(berth(dir, 'create-admin', '--email', 'root@example.test').stderr).toMatch(/already exists/);
    expect(berth(dir, 'create-admin', '--email', 'not-an-email').stderr).toMatch(/--email: Enter a valid email/);
    expect(berth(dir, 'reset-password', '--email', 'root@example.test', '--password', 'short').stderr).toMatch(
      /at least 12/,
    );
    expect(berth(dir, 'reset-password', '--email', 'root@example.test', '--password', 'a-new-long-password').code).toBe(
      0,
    );
    const minted = berth(
      dir,
      'mint-token',
      '--email',
      'root@example.test',
      '--name',
      'ops',
      '--scope',
      'read',
      '--expires-days',
      '30',
    );
    expect(minted.code).toBe(0);
    const secret = minted.stdout.trim().split('\n').at(-1)!;
    expect(secret).toMatch(/^berth_[a-z0-9]{26}_[A-Za-z0-9_-]{43}$/);

    db = await createDb({ url: `file:${path.join(dir, 'berth.db')}` });
    await applyMigrations({ db, dir: MIGRATIONS });
    const { app } = await buildApp({
      config: { portRange: { first: 20000, last: 20999 }, webDir: path.join(dir, 'none'), dataDir: dir },
      db,
    });
    const me = await call(app, bearer(secret), 'GET', '/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect((me.json() as { user: { email: string; role: string } }).user).toMatchObject({
      email: 'root@example.test',
      role: 'admin',
    });
    expect((await call(app, bearer(secret), 'POST', '/api/v1/tokens', { name: 'x', scope: 'full' })).statusCode).toBe(
      403,
    );
    const login = await call(app, { headers: {} }, 'POST', '/api/v1/auth/login', {
      email: 'root@example.test',
      password: 'a-new-long-password',
    });
    expect(login.statusCode).toBe(200);
    // The CLI's actions are in the audit trail, attributed to the CLI.
    const events = await db.event.findMany({ where: { actor: 'cli' } });
    expect(events.map((e) => e.action).sort()).toEqual(['token.create', 'user.create', 'user.password-reset']);
    await app.close();
  });

  it('turns off two-factor sign-in for a user who lost the authenticator and the recovery codes', async () => {
    db ??= await createDb({ url: `file:${path.join(dir, 'berth.db')}` });
    await db.user.update({
      where: { email: 'root@example.test' },
      data: { totpSecretEnc: 'v1:x:y:z', totpEnabledAt: new Date(), recoveryCodeHashes: '["a"]' },
    });
    const out = berth(dir, 'disable-2fa', '--email', 'root@example.test');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/turned off/);
    expect(await db.user.findUniqueOrThrow({ where: { email: 'root@example.test' } })).toMatchObject({
      totpSecretEnc: null,
      totpEnabledAt: null,
      recoveryCodeHashes: '[]',
    });
    expect(await db.event.count({ where: { actor: 'cli', action: 'user.two-factor-disable' } })).toBe(1);
    expect(berth(dir, 'disable-2fa', '--email', 'nobody@example.test').stderr).toMatch(/no user has the email/);
  });
});

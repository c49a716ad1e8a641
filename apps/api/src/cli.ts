import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { applyMigrations, createDb, newId, type Db } from '@berth/db';
import { ZEmail, ZPassword, ZTokenScope, ZDisplayName } from '@berth/contracts';
import { hashPassword } from './auth/passwords.js';
import type { Principal } from './auth/principal.js';
import { loadConfig } from './config.js';
import { recordEvent } from './events/events.service.js';
import { MIGRATIONS } from './paths.js';
import { mintToken } from './tokens/tokens.service.js';

const USAGE = `berth — host administration without the web console

  pnpm berth create-admin --email EMAIL [--password PASSWORD]
  pnpm berth reset-password --email EMAIL [--password PASSWORD]
  pnpm berth mint-token --email EMAIL --name NAME [--scope full|read|billing] [--expires-days N]
  pnpm berth disable-2fa --email EMAIL   (a user who lost both the authenticator and the recovery codes)

Without --password a strong password is generated and printed once.
A token's secret is printed once; only its hash is stored.
`;

const CLI: Principal = {
  via: 'cli',
  userId: null,
  role: 'admin',
  tenantId: null,
  scope: 'full',
  tokenId: null,
  sessionId: null,
};
const ctx = { principal: CLI, ip: null };

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string): never {
  process.stderr.write(`berth: ${message}\n`);
  process.exit(2);
}

function parseOr<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
  flag: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) fail(`${flag}: ${result.error.issues[0]?.message ?? 'invalid value'}`);
  return result.data;
}

async function createAdmin(db: Db, email: string, password: string): Promise<void> {
  if (await db.user.findUnique({ where: { email } }))
    fail(`a user with email ${email} already exists (use reset-password)`);
  const id = newId();
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    await tx.user.create({ data: { id, email, passwordHash, role: 'admin' } });
    await recordEvent(tx, ctx, { action: 'user.create', targetType: 'user', targetId: id, details: { role: 'admin' } });
  });
}

async function resetPassword(db: Db, email: string, password: string): Promise<void> {
  const user = await db.user.findUnique({ where: { email } });
  if (!user) fail(`no user has the email ${email}`);
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, failedLogins: 0, lockedUntil: null } });
    await tx.session.deleteMany({ where: { userId: user.id } });
    await recordEvent(tx, ctx, {
      action: 'user.password-reset',
      targetType: 'user',
      targetId: user.id,
      tenantId: user.tenantId,
    });
  });
}

/** disableTwoFactor is the host's way back in for a user without their authenticator or recovery codes. */
async function disableTwoFactor(db: Db, email: string): Promise<void> {
  const user = await db.user.findUnique({ where: { email } });
  if (!user) fail(`no user has the email ${email}`);
  await db.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: user.id },
      data: { totpSecretEnc: null, totpEnabledAt: null, recoveryCodeHashes: '[]' },
    });
    await tx.session.deleteMany({ where: { userId: user.id } });
    await recordEvent(tx, ctx, {
      action: 'user.two-factor-disable',
      targetType: 'user',
      targetId: user.id,
      tenantId: user.tenantId,
      details: { with: 'cli' },
    });
  });
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      scope: { type: 'string', default: 'full' },
      'expires-days': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    out(USAGE);
    return;
  }
  const config = loadConfig();
  const db = await createDb({ url: config.databaseUrl });
  await applyMigrations({ db, dir: MIGRATIONS });
  try {
    const email = parseOr(ZEmail, values.email, '--email');
    const generated = values.password === undefined;
    const password = parseOr(ZPassword, values.password ?? crypto.randomBytes(18).toString('base64url'), '--password');
    switch (command) {
      case 'create-admin':
        await createAdmin(db, email, password);
        out(`admin ${email} created`);
        if (generated) out(`password: ${password}`);
        break;
      case 'reset-password':
        await resetPassword(db, email, password);
        out(`password of ${email} reset; their sessions ended`);
        if (generated) out(`password: ${password}`);
        break;
      case 'disable-2fa':
        await disableTwoFactor(db, email);
        out(`two-factor sign-in of ${email} turned off; their sessions ended`);
        break;
      case 'mint-token': {
        const user = await db.user.findUnique({ where: { email } });
        if (!user) fail(`no user has the email ${email}`);
        const scope = parseOr(ZTokenScope, values.scope, '--scope');
        if (scope === 'billing' && user.role !== 'admin') fail('billing tokens can only belong to administrators');
        const name = parseOr(ZDisplayName, values.name ?? 'cli token', '--name');
        const days = values['expires-days'] === undefined ? undefined : Number(values['expires-days']);
        if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 3650))
          fail('--expires-days: a whole number of days from 1 to 3650');
        const { token, secret } = await mintToken(db, ctx, {
          userId: user.id,
          tenantId: user.tenantId,
          name,
          scope,
          expiresInDays: days,
        });
        out(`token ${token.id} (${scope}) for ${email}${token.expiresAt ? `, expires ${token.expiresAt}` : ''}`);
        out(secret);
        break;
      }
      default:
        fail(`unknown command "${command}"\n\n${USAGE}`);
    }
  } finally {
    await db.$disconnect();
  }
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));

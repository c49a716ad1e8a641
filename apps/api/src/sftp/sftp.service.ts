import { createHash } from 'node:crypto';
import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import { parseSshPublicKey, type TSftpAccess, type TSftpKey } from '@berth/contracts';
import { canSeeTenant, requireNotBilling, requireWrite, type RequestContext } from '../auth/principal.js';
import { generatePassword } from '../databases/databases.service.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import { isUniqueViolation } from '../http/prisma-errors.js';
import type { PortSlot, SftpPort } from '../ports.js';
import { sha512Crypt } from './sha512-crypt.js';

/** SftpEndpoint is where tenants connect: BERTH_SFTP_HOST (or the panel's host) and BERTH_SFTP_PORT. */
export interface SftpEndpoint {
  host: string;
  port: number;
}

/** fingerprintOf is the key's SHA-256 fingerprint as `ssh-keygen -l` prints it. */
export function fingerprintOf(base64: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(base64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

function toKey(row: { id: string; name: string; publicKey: string; fingerprint: string; createdAt: Date }): TSftpKey {
  return {
    id: row.id,
    name: row.name,
    type: row.publicKey.split(' ')[0] ?? '',
    fingerprint: row.fingerprint,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * SftpService manages a tenant's SFTP access: one login (the tenant's slug) chrooted to the tenant's own files,
 * with a password (kept only as a SHA-512 crypt hash, shown once when generated) and SSH keys. Every change
 * asks the control plane to converge the SFTP server (SftpPort); a suspended tenant is locked out there.
 */
export class SftpService {
  constructor(private readonly deps: { db: Db; port: PortSlot<SftpPort>; endpoint: SftpEndpoint }) {}

  async get(ctx: RequestContext, requested: string | undefined): Promise<TSftpAccess> {
    requireNotBilling(ctx.principal);
    const tenant = await this.tenantOf(ctx, requested);
    return this.access(tenant);
  }

  async update(ctx: RequestContext, input: { tenantId?: string | undefined; enabled: boolean }): Promise<TSftpAccess> {
    requireWrite(ctx.principal);
    const tenant = await this.tenantOf(ctx, input.tenantId);
    await this.deps.db.$transaction(async (tx) => {
      await tx.sftpAccount.upsert({
        where: { tenantId: tenant.id },
        create: { tenantId: tenant.id, enabled: input.enabled },
        update: { enabled: input.enabled },
      });
      await recordEvent(tx, ctx, {
        action: input.enabled ? 'sftp.enabled' : 'sftp.disabled',
        targetType: 'tenant',
        targetId: tenant.id,
        tenantId: tenant.id,
      });
    });
    this.deps.port.current?.converge();
    return this.access(tenant);
  }

  /** setPassword sets the SFTP password (or generates one): the answer is the only place it is ever shown. */
  async setPassword(
    ctx: RequestContext,
    input: { tenantId?: string | undefined; password?: string | undefined },
  ): Promise<{ password: string }> {
    requireWrite(ctx.principal);
    const tenant = await this.tenantOf(ctx, input.tenantId);
    const password = input.password ?? generatePassword();
    const passwordHash = sha512Crypt(password);
    await this.deps.db.$transaction(async (tx) => {
      await tx.sftpAccount.upsert({
        where: { tenantId: tenant.id },
        create: { tenantId: tenant.id, enabled: true, passwordHash },
        update: { passwordHash },
      });
      await recordEvent(tx, ctx, {
        action: 'sftp.password-set',
        targetType: 'tenant',
        targetId: tenant.id,
        tenantId: tenant.id,
        details: { generated: input.password === undefined },
      });
    });
    this.deps.port.current?.converge();
    return { password };
  }

  async addKey(
    ctx: RequestContext,
    input: { tenantId?: string | undefined; name: string; publicKey: string },
  ): Promise<TSftpKey> {
    requireWrite(ctx.principal);
    const tenant = await this.tenantOf(ctx, input.tenantId);
    const parsed = parseSshPublicKey(input.publicKey);
    if (!parsed.ok) {
      throw new AppError('VALIDATION_FAILED', parsed.message, {
        details: { issues: [{ in: 'body', path: ['publicKey'], message: parsed.message }] },
      });
    }
    const fingerprint = fingerprintOf(parsed.data);
    try {
      const row = await this.deps.db.$transaction(async (tx) => {
        await tx.sftpAccount.upsert({
          where: { tenantId: tenant.id },
          create: { tenantId: tenant.id, enabled: true },
          update: {},
        });
        const created = await tx.sftpKey.create({
          data: {
            id: newId(),
            tenantId: tenant.id,
            name: input.name,
            publicKey: `${parsed.type} ${parsed.data}`,
            fingerprint,
          },
        });
        await recordEvent(tx, ctx, {
          action: 'sftp.key-added',
          targetType: 'tenant',
          targetId: tenant.id,
          tenantId: tenant.id,
          details: { name: input.name, fingerprint },
        });
        return created;
      });
      this.deps.port.current?.converge();
      return toKey(row);
    } catch (error) {
      if (isUniqueViolation(error)) {
        const message = 'This key is already added.';
        throw new AppError('VALIDATION_FAILED', message, {
          details: { issues: [{ in: 'body', path: ['publicKey'], message }] },
        });
      }
      throw error;
    }
  }

  async removeKey(ctx: RequestContext, id: string): Promise<void> {
    requireWrite(ctx.principal);
    const key = await this.deps.db.sftpKey.findUnique({ where: { id } });
    if (!key || !canSeeTenant(ctx.principal, key.tenantId)) throw notFound('Key');
    await this.deps.db.$transaction(async (tx) => {
      await tx.sftpKey.delete({ where: { id } });
      await recordEvent(tx, ctx, {
        action: 'sftp.key-removed',
        targetType: 'tenant',
        targetId: key.tenantId,
        tenantId: key.tenantId,
        details: { name: key.name, fingerprint: key.fingerprint },
      });
    });
    this.deps.port.current?.converge();
  }

  private async access(tenant: { id: string; slug: string; status: string }): Promise<TSftpAccess> {
    const [account, keys] = await Promise.all([
      this.deps.db.sftpAccount.findUnique({ where: { tenantId: tenant.id } }),
      this.deps.db.sftpKey.findMany({ where: { tenantId: tenant.id }, orderBy: { createdAt: 'asc' } }),
    ]);
    const enabled = account?.enabled ?? false;
    const serving = enabled ? ((await this.deps.port.current?.serves(tenant.id)) ?? false) : false;
    return {
      tenantId: tenant.id,
      enabled,
      login: tenant.slug,
      host: this.deps.endpoint.host,
      port: this.deps.endpoint.port,
      home: '/sites',
      hasPassword: Boolean(account?.passwordHash),
      keys: keys.map(toKey),
      active: enabled && serving && tenant.status === 'active' && (Boolean(account?.passwordHash) || keys.length > 0),
    };
  }

  private async tenantOf(ctx: RequestContext, requested: string | undefined) {
    const tenantId = ctx.principal.role === 'admin' ? requested : (requested ?? ctx.principal.tenantId);
    if (!tenantId) {
      throw new AppError('VALIDATION_FAILED', 'Say which tenant (tenantId).', {
        details: { issues: [{ in: 'query', path: ['tenantId'], message: 'Required for administrators.' }] },
      });
    }
    if (!canSeeTenant(ctx.principal, tenantId)) throw notFound('Tenant');
    const tenant = await this.deps.db.tenant.findUnique({
      where: { id: tenantId },
      select: { id: true, slug: true, status: true },
    });
    if (!tenant) throw notFound('Tenant');
    return tenant;
  }
}

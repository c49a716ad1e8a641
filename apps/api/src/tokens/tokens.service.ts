import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import { ZTokenScope, type TApiToken, type TTokenScope, type ZCreateTokenRequest } from '@berth/contracts';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service.js';
import { requireWrite, type Principal, type RequestContext } from '../auth/principal.js';
import { formatApiToken, randomSecret, sha256 } from '../auth/secrets.js';
import { AppError, notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';

type TokenRow = Awaited<ReturnType<Db['apiToken']['findFirstOrThrow']>>;

/** tokenScopeOf reads a token row's scopes column (a JSON list, through the contract): its first scope. */
export function tokenScopeOf(scopes: string): TTokenScope {
  return z.array(ZTokenScope).parse(JSON.parse(scopes))[0] ?? 'read';
}

export function toApiToken(row: TokenRow): TApiToken {
  return {
    id: row.id,
    name: row.name,
    scope: tokenScopeOf(row.scopes),
    tenantId: row.tenantId,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * mintToken creates a token for a user and returns its secret, which exists nowhere else afterwards.
 * Shared by the API and the host's `berth` CLI.
 */
export async function mintToken(
  db: Db,
  ctx: Pick<RequestContext, 'principal' | 'ip'>,
  input: {
    userId: string;
    tenantId: string | null;
    name: string;
    scope: TTokenScope;
    expiresInDays?: number | undefined;
  },
): Promise<{ token: TApiToken; secret: string }> {
  const id = newId();
  const secret = randomSecret();
  const row = await db.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: {
        id,
        name: input.name,
        secretHash: sha256(secret),
        scopes: JSON.stringify([input.scope]),
        userId: input.userId,
        tenantId: input.tenantId,
        expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
      },
    });
    await recordEvent(tx, ctx, {
      action: 'token.create',
      targetType: 'token',
      targetId: id,
      tenantId: input.tenantId,
      details: { name: input.name, scope: input.scope },
    });
    return created;
  });
  return { token: toApiToken(row), secret: formatApiToken(id, secret) };
}

/** TokensService: every user manages their own API tokens; only admins may mint billing tokens. */
export class TokensService {
  constructor(private readonly deps: { db: Db; auth: AuthService }) {}

  async list(ctx: RequestContext): Promise<{ items: TApiToken[]; total: number }> {
    const rows = await this.deps.db.apiToken.findMany({
      where: { userId: ownUser(ctx.principal) },
      orderBy: { createdAt: 'asc' },
    });
    return { items: rows.map(toApiToken), total: rows.length };
  }

  async create(
    ctx: RequestContext,
    input: z.output<typeof ZCreateTokenRequest>,
  ): Promise<{ token: TApiToken; secret: string }> {
    requireWrite(ctx.principal);
    if (input.scope === 'billing' && ctx.principal.role !== 'admin') {
      throw new AppError('FORBIDDEN', 'Only administrators can create billing tokens.');
    }
    return mintToken(this.deps.db, ctx, {
      userId: ownUser(ctx.principal),
      tenantId: ctx.principal.tenantId,
      name: input.name,
      scope: input.scope,
      expiresInDays: input.expiresInDays,
    });
  }

  async revoke(ctx: RequestContext, id: string): Promise<void> {
    requireWrite(ctx.principal);
    const row = await this.deps.db.apiToken.findFirst({ where: { id, userId: ownUser(ctx.principal) } });
    if (!row) throw notFound('Token');
    await this.deps.db.$transaction(async (tx) => {
      await tx.apiToken.delete({ where: { id } });
      await recordEvent(tx, ctx, {
        action: 'token.revoke',
        targetType: 'token',
        targetId: id,
        tenantId: row.tenantId,
        details: { name: row.name },
      });
    });
    this.deps.auth.forgetAll();
  }
}

function ownUser(principal: Principal): string {
  if (!principal.userId) throw new AppError('FORBIDDEN', 'Tokens belong to users; sign in as a user.');
  return principal.userId;
}

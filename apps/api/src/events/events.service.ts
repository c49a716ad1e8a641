import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import type { TEvent } from '@berth/contracts';
import type { ZEventListQuery } from '@berth/contracts';
import type { z } from 'zod';
import {
  actorOf,
  impersonationDetails,
  tenantScope,
  requireNotBilling,
  type RequestContext,
} from '../auth/principal.js';
import { nameEvents, type EventNames } from './event-names.js';

/** Tx is either the client or an interactive transaction; events are written inside the caller's transaction. */
export type Tx = Pick<Db, 'event'> & Partial<Db>;

export interface EventInput {
  action: string;
  targetType: string;
  targetId?: string | null;
  tenantId?: string | null;
  result?: 'ok' | 'error';
  message?: string | null;
  details?: Record<string, unknown>;
}

/**
 * recordEvent writes one audit event. Call it inside the transaction that makes the change, so an event
 * exists exactly when the change does. `details` must never hold secrets.
 */
export async function recordEvent(
  tx: Tx,
  ctx: Pick<RequestContext, 'principal' | 'ip'> | null,
  input: EventInput,
): Promise<void> {
  // Through an impersonation session the actor is the tenant user; the administrator behind it is named too.
  const details = { ...input.details, ...(ctx ? impersonationDetails(ctx.principal) : {}) };
  await tx.event.create({
    data: {
      id: newId(),
      actor: ctx ? actorOf(ctx.principal) : 'system',
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId ?? null,
      tenantId: input.tenantId ?? null,
      result: input.result ?? 'ok',
      message: input.message ?? null,
      ip: ctx?.ip ?? null,
      details: Object.keys(details).length > 0 ? JSON.stringify(details) : null,
    },
  });
}

type EventRow = Awaited<ReturnType<Db['event']['findFirstOrThrow']>>;

function toEvent(row: EventRow, names: EventNames): TEvent {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    actorName: names.actors.get(row.actor) ?? null,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    targetName: row.targetId === null ? null : (names.targets.get(`${row.targetType}:${row.targetId}`) ?? null),
    tenantId: row.tenantId,
    result: row.result === 'error' ? 'error' : 'ok',
    message: row.message,
    ip: row.ip,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  };
}

/**
 * listEvents returns the newest events first, their actors and targets named (nameEvents); tenant users only
 * ever see their own tenant's events. `kind` keeps the actions of one kind (`site` → `site.create`, `site.live`…).
 */
export async function listEvents(
  db: Db,
  ctx: RequestContext,
  query: z.output<typeof ZEventListQuery>,
): Promise<{ items: TEvent[]; total: number }> {
  requireNotBilling(ctx.principal);
  const scoped = tenantScope(ctx.principal);
  if (scoped !== undefined && query.tenantId !== undefined && query.tenantId !== scoped) return { items: [], total: 0 };
  const where = {
    tenantId: scoped ?? query.tenantId,
    actor: query.actor,
    targetId: query.targetId,
    result: query.result,
    AND: [
      ...(query.action !== undefined ? [{ action: query.action }] : []),
      ...(query.kind !== undefined ? [{ action: { startsWith: `${query.kind}.` } }] : []),
    ],
  };
  const [rows, total] = await Promise.all([
    db.event.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: query.limit, skip: query.offset }),
    db.event.count({ where }),
  ]);
  const names = await nameEvents(db, rows, scoped);
  const items = rows.map((row) => toEvent(row, names));
  if (scoped !== undefined) await hideForeignAddresses(db, scoped, items);
  return { items, total };
}

/**
 * hideForeignAddresses blanks `ip` on a tenant's events whose actor is not one of the tenant's own users or
 * their tokens (or acted for an administrator impersonating them): administrators, billing systems, the CLI and anonymous sign-in attempts keep their addresses
 * to themselves. Actors are looked up as they are now, so a deleted user's or revoked token's address is
 * hidden too (failing closed).
 */
async function hideForeignAddresses(db: Db, tenantId: string, items: TEvent[]): Promise<void> {
  const ids = (prefix: string) => [
    ...new Set(
      items.filter((e) => e.ip !== null && e.actor.startsWith(prefix)).map((e) => e.actor.slice(prefix.length)),
    ),
  ];
  const [users, tokens] = await Promise.all([
    db.user.findMany({ where: { id: { in: ids('user:') }, tenantId }, select: { id: true } }),
    db.apiToken.findMany({ where: { id: { in: ids('token:') }, user: { tenantId } }, select: { id: true } }),
  ]);
  const own = new Set([...users.map((u) => `user:${u.id}`), ...tokens.map((t) => `token:${t.id}`)]);
  // An administrator's address stays its own when it acted through an impersonation session.
  for (const event of items) if (!own.has(event.actor) || event.details?.impersonatorId) event.ip = null;
}

import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import {
  WEBHOOK_DELIVERY_STATUSES,
  ZWebhookEvent,
  type TCreatedWebhook,
  type TWebhook,
  type TWebhookDelivery,
  type ZCreateWebhookRequest,
  type ZUpdateWebhookRequest,
  type ZWebhookDeliveryQuery,
} from '@berth/contracts';
import { z } from 'zod';
import { requireAdmin, requireNotBilling, requireWrite, type RequestContext } from '../auth/principal.js';
import { notFound } from '../errors.js';
import { recordEvent } from '../events/events.service.js';
import type { DataKey } from '../secrets/data-key.js';
import { newWebhookSecret } from './webhook-signature.js';
import { checkWebhookTarget, type WebhookTargetPolicy } from './webhook-target.js';

type EndpointRow = Awaited<ReturnType<Db['webhookEndpoint']['findFirstOrThrow']>>;
type DeliveryRow = Awaited<ReturnType<Db['webhookDelivery']['findFirstOrThrow']>> & {
  attemptLog: { at: Date; statusCode: number | null; error: string | null; durationMs: number }[];
};

export function toWebhook(row: EndpointRow): TWebhook {
  return {
    id: row.id,
    url: row.url,
    events: z.array(ZWebhookEvent).parse(JSON.parse(row.events)),
    description: row.description,
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toDelivery(row: DeliveryRow): TWebhookDelivery {
  return {
    id: row.id,
    webhookId: row.endpointId,
    eventId: row.eventId,
    event: ZWebhookEvent.parse(row.event),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES).parse(row.status),
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    attemptLog: row.attemptLog.map((a) => ({
      at: a.at.toISOString(),
      statusCode: a.statusCode,
      error: a.error,
      durationMs: a.durationMs,
    })),
  };
}

/**
 * WebhooksService lets administrators register the URLs that receive signed account and site events.
 * The signing secret is generated here, shown once, and kept encrypted with the data key (the dispatcher
 * must read it back to sign). Billing and read-only tokens cannot manage webhooks.
 */
export class WebhooksService {
  constructor(private readonly deps: { db: Db; dataKey: DataKey; policy: WebhookTargetPolicy }) {}

  async list(ctx: RequestContext): Promise<{ items: TWebhook[]; total: number }> {
    this.authorizeRead(ctx);
    const rows = await this.deps.db.webhookEndpoint.findMany({ orderBy: { createdAt: 'asc' } });
    return { items: rows.map(toWebhook), total: rows.length };
  }

  async get(ctx: RequestContext, id: string): Promise<TWebhook> {
    this.authorizeRead(ctx);
    return toWebhook(await this.find(id));
  }

  async create(ctx: RequestContext, input: z.output<typeof ZCreateWebhookRequest>): Promise<TCreatedWebhook> {
    this.authorizeWrite(ctx);
    await checkWebhookTarget(input.url, this.deps.policy);
    const id = newId();
    const secret = newWebhookSecret();
    const row = await this.deps.db.$transaction(async (tx) => {
      const created = await tx.webhookEndpoint.create({
        data: {
          id,
          url: input.url,
          events: JSON.stringify(input.events),
          secretEnc: this.deps.dataKey.encrypt(secret),
          description: input.description || null,
        },
      });
      await recordEvent(tx, ctx, {
        action: 'webhook.create',
        targetType: 'webhook',
        targetId: id,
        details: { url: input.url, events: input.events },
      });
      return created;
    });
    return { webhook: toWebhook(row), secret };
  }

  async update(ctx: RequestContext, id: string, input: z.output<typeof ZUpdateWebhookRequest>): Promise<TWebhook> {
    this.authorizeWrite(ctx);
    await this.find(id);
    if (input.url !== undefined) await checkWebhookTarget(input.url, this.deps.policy);
    const row = await this.deps.db.$transaction(async (tx) => {
      const updated = await tx.webhookEndpoint.update({
        where: { id },
        data: {
          url: input.url,
          events: input.events === undefined ? undefined : JSON.stringify(input.events),
          description: input.description === undefined ? undefined : input.description || null,
          enabled: input.enabled,
        },
      });
      await recordEvent(tx, ctx, {
        action: 'webhook.update',
        targetType: 'webhook',
        targetId: id,
        details: { ...input },
      });
      return updated;
    });
    return toWebhook(row);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    this.authorizeWrite(ctx);
    const row = await this.find(id);
    await this.deps.db.$transaction(async (tx) => {
      await tx.webhookEndpoint.delete({ where: { id } });
      await recordEvent(tx, ctx, {
        action: 'webhook.delete',
        targetType: 'webhook',
        targetId: id,
        details: { url: row.url },
      });
    });
  }

  /** rotateSecret replaces the signing secret at once and shows the new one, once. */
  async rotateSecret(ctx: RequestContext, id: string): Promise<TCreatedWebhook> {
    this.authorizeWrite(ctx);
    await this.find(id);
    const secret = newWebhookSecret();
    const row = await this.deps.db.$transaction(async (tx) => {
      const updated = await tx.webhookEndpoint.update({
        where: { id },
        data: { secretEnc: this.deps.dataKey.encrypt(secret) },
      });
      await recordEvent(tx, ctx, { action: 'webhook.rotate-secret', targetType: 'webhook', targetId: id });
      return updated;
    });
    return { webhook: toWebhook(row), secret };
  }

  /** deliveries lists an endpoint's deliveries, newest first, each with every attempt made. */
  async deliveries(
    ctx: RequestContext,
    id: string,
    query: z.output<typeof ZWebhookDeliveryQuery>,
  ): Promise<{ items: TWebhookDelivery[]; total: number }> {
    this.authorizeRead(ctx);
    await this.find(id);
    const where = { endpointId: id, status: query.status };
    const [rows, total] = await Promise.all([
      this.deps.db.webhookDelivery.findMany({
        where,
        include: { attemptLog: { orderBy: { at: 'asc' } } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit,
        skip: query.offset,
      }),
      this.deps.db.webhookDelivery.count({ where }),
    ]);
    return { items: rows.map(toDelivery), total };
  }

  private authorizeRead(ctx: RequestContext): void {
    requireNotBilling(ctx.principal);
    requireAdmin(ctx.principal);
  }

  private authorizeWrite(ctx: RequestContext): void {
    requireWrite(ctx.principal);
    requireAdmin(ctx.principal);
  }

  private async find(id: string): Promise<EndpointRow> {
    const row = await this.deps.db.webhookEndpoint.findUnique({ where: { id } });
    if (!row) throw notFound('Webhook');
    return row;
  }
}

import type { FastifyBaseLogger } from 'fastify';
import { Agent, request } from 'undici';
import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import type { DataKey } from '../secrets/data-key.js';
import { buildPayload, SOURCE_ACTIONS, webhookEventOf } from './webhook-events.js';
import { signatureHeader } from './webhook-signature.js';
import { checkWebhookTarget, guardedLookup, type WebhookTargetPolicy } from './webhook-target.js';

/** RETRY_BACKOFF_MS: waits before attempts 2…8; after the 8th failure a delivery is `failed`. */
export const RETRY_BACKOFF_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000];
const CURSOR_ID = 'events';
const PAGE = 500;

export interface DispatcherOptions {
  db: Db;
  dataKey: DataKey;
  policy: WebhookTargetPolicy;
  logger?: FastifyBaseLogger;
  /** How often the Event table is read for new events and due retries. */
  pollMs?: number;
  /** Per-attempt limit for connecting, sending and reading the answer. */
  timeoutMs?: number;
  /** Waits between attempts; attempts = backoff.length + 1. */
  backoffMs?: number[];
  /** Deliveries sent at the same time. */
  concurrency?: number;
  /**
   * Events are re-read this far behind the cursor, so one written by a transaction that committed after a
   * later one was read is still seen; the (endpoint, event) unique key keeps it from being sent twice.
   */
  overlapMs?: number;
}

/**
 * WebhookDispatcher turns the audit trail into webhook deliveries (the Event table is the outbox). It
 * runs beside the API in the same process and never on the request path: each poll reads events after
 * a persisted cursor, creates one WebhookDelivery per subscribed endpoint, and starts due attempts
 * without waiting for them. An attempt that fails (non-2xx, error, timeout) is logged as a
 * WebhookAttempt and retried with backoff, so a slow or dead receiver costs a few sockets, nothing else.
 */
export class WebhookDispatcher {
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly backoffMs: number[];
  private readonly concurrency: number;
  private readonly overlapMs: number;
  private readonly agent: Agent;
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(private readonly opts: DispatcherOptions) {
    this.pollMs = opts.pollMs ?? 1_000;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.backoffMs = opts.backoffMs ?? RETRY_BACKOFF_MS;
    this.concurrency = opts.concurrency ?? 8;
    this.overlapMs = opts.overlapMs ?? 60_000;
    this.agent = new Agent({
      connect: { lookup: guardedLookup(opts.policy), timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      this.running = this.tick().catch((err: unknown) =>
        this.opts.logger?.warn({ err, op: 'webhooks' }, 'webhook poll failed'),
      );
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.pollMs);
    };
    this.timer = setTimeout(() => void loop(), 0);
  }

  /** stop ends polling and waits for attempts already under way (each is bounded by the timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.allSettled([...this.inFlight.values()]);
    await this.agent.close();
  }

  /** tick reads new events into deliveries and starts the attempts that are due (without awaiting them). */
  async tick(): Promise<void> {
    await this.collect();
    await this.sendDue();
  }

  /** idle waits until no attempt is under way (tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  private async collect(): Promise<void> {
    const { db } = this.opts;
    const cursor = await db.webhookCursor.findUnique({ where: { id: CURSOR_ID } });
    if (!cursor) {
      // First run: endpoints hear about what happens from now on, not the whole history.
      await db.webhookCursor.create({ data: { id: CURSOR_ID, lastEventAt: new Date() } });
      return;
    }
    const endpoints = (await db.webhookEndpoint.findMany({ where: { enabled: true } })).map((e) => ({
      ...e,
      subscribed: new Set(JSON.parse(e.events) as string[]),
    }));
    let after = { at: new Date(cursor.lastEventAt.getTime() - this.overlapMs), id: '' };
    let newest = cursor.lastEventAt;
    for (;;) {
      const events = await db.event.findMany({
        where: {
          action: { in: SOURCE_ACTIONS },
          OR: [{ at: { gt: after.at } }, { at: after.at, id: { gt: after.id } }],
        },
        orderBy: [{ at: 'asc' }, { id: 'asc' }],
        take: PAGE,
      });
      if (events.length === 0) break;
      const existing = await db.webhookDelivery.findMany({
        where: { eventId: { in: events.map((e) => e.id) } },
        select: { endpointId: true, eventId: true },
      });
      const done = new Set(existing.map((d) => `${d.endpointId}|${d.eventId}`));
      for (const event of events) {
        const type = webhookEventOf(event);
        if (!type) continue;
        const targets = endpoints.filter(
          (e) => e.subscribed.has(type) && e.createdAt <= event.at && !done.has(`${e.id}|${event.id}`),
        );
        if (targets.length === 0) continue;
        const payload = JSON.stringify(await buildPayload(db, event, type));
        for (const endpoint of targets) {
          await db.webhookDelivery
            .create({
              data: {
                id: newId(),
                endpointId: endpoint.id,
                eventId: event.id,
                event: type,
                payload,
                nextAttemptAt: new Date(),
              },
            })
            .catch((err: unknown) =>
              this.opts.logger?.warn({ err, op: 'webhooks', eventId: event.id }, 'could not queue a webhook delivery'),
            );
        }
      }
      const last = events[events.length - 1]!;
      if (last.at > newest) newest = last.at;
      after = { at: last.at, id: last.id };
      if (events.length < PAGE) break;
    }
    if (newest.getTime() !== cursor.lastEventAt.getTime())
      await db.webhookCursor.update({ where: { id: CURSOR_ID }, data: { lastEventAt: newest } });
  }

  private async sendDue(): Promise<void> {
    const room = this.concurrency - this.inFlight.size;
    if (room <= 0) return;
    const due = await this.opts.db.webhookDelivery.findMany({
      where: {
        status: 'pending',
        nextAttemptAt: { lte: new Date() },
        id: { notIn: [...this.inFlight.keys()] },
        endpoint: { enabled: true },
      },
      include: { endpoint: true },
      orderBy: { nextAttemptAt: 'asc' },
      take: room,
    });
    for (const delivery of due) {
      const attempt = this.attempt(delivery)
        .catch((err: unknown) =>
          this.opts.logger?.error(
            { err, op: 'webhooks', deliveryId: delivery.id },
            'webhook attempt could not be recorded',
          ),
        )
        .finally(() => this.inFlight.delete(delivery.id));
      this.inFlight.set(delivery.id, attempt);
    }
  }

  private async attempt(
    delivery: Awaited<ReturnType<Db['webhookDelivery']['findFirstOrThrow']>> & {
      endpoint: { url: string; secretEnc: string };
    },
  ): Promise<void> {
    const { db, dataKey, logger } = this.opts;
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      await checkWebhookTarget(delivery.endpoint.url, this.opts.policy);
      const timestamp = Math.floor(Date.now() / 1000);
      const res = await request(delivery.endpoint.url, {
        method: 'POST',
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Berth-Webhooks/1',
          'berth-event': delivery.event,
          'berth-delivery': delivery.id,
          'berth-signature': signatureHeader({
            secret: dataKey.decrypt(delivery.endpoint.secretEnc),
            body: delivery.payload,
            timestamp,
          }),
        },
        body: delivery.payload,
      });
      statusCode = res.statusCode;
      await res.body.dump({ limit: 64 * 1024 });
      if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
    } catch (err) {
      error = describe(err);
    }
    const durationMs = Math.round(performance.now() - started);
    const attempts = delivery.attempts + 1;
    const delivered = error === null;
    const status = delivered ? 'delivered' : attempts > this.backoffMs.length ? 'failed' : 'pending';
    const now = new Date();
    await db.$transaction(async (tx) => {
      await tx.webhookAttempt.create({
        data: { id: newId(), deliveryId: delivery.id, at: now, statusCode, error, durationMs },
      });
      await tx.webhookDelivery.update({
        where: { id: delivery.id },
        data: {
          attempts,
          status,
          lastStatusCode: statusCode,
          lastError: error,
          deliveredAt: delivered ? now : null,
          nextAttemptAt: status === 'pending' ? new Date(now.getTime() + this.backoffMs[attempts - 1]!) : null,
        },
      });
    });
    const fields = {
      op: 'webhooks',
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      event: delivery.event,
      attempts,
      statusCode,
      durationMs,
    };
    if (delivered) logger?.info(fields, 'webhook delivered');
    else logger?.warn({ ...fields, error, status }, 'webhook attempt failed');
  }
}

/** describe makes an attempt's error short and useful: "timeout after 5000 ms", "ECONNREFUSED", a policy refusal. */
function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code ?? (err.cause as NodeJS.ErrnoException | undefined)?.code;
    if (
      err.name === 'TimeoutError' ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      code === 'UND_ERR_CONNECT_TIMEOUT'
    )
      return 'timeout: no answer in time';
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${code ? `${code} ` : ''}${err.message}${cause}`.slice(0, 500);
  }
  return String(err).slice(0, 500);
}

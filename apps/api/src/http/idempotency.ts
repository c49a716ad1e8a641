import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import { actorOf } from '../auth/principal.js';
import { AppError } from '../errors.js';
import { isApiRoute } from './api-route.js';
import type { DataKey } from '../secrets/data-key.js';
import { isUniqueViolation } from './prisma-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The IdempotencyKey row this request reserved; its response is stored in onSend. */
    idempotencyReservation: string | null;
  }
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface IdempotencyOptions {
  db: Db;
  /** Stored responses may hold one-time secrets (a new token, a webhook secret): they are kept encrypted. */
  dataKey: DataKey;
  /** How long a key is remembered (24 h). */
  ttlMs?: number;
  /** How long a duplicate waits for the first request to finish before answering IDEMPOTENCY_KEY_IN_PROGRESS. */
  waitMs?: number;
  /** A reservation older than this with no response belongs to a crashed process and is taken over. */
  staleMs?: number;
}

/**
 * registerIdempotency makes every authenticated POST to an /api route (as the router matched it) honour an `Idempotency-Key` header, the
 * way Stripe does: the first request reserves (principal, key) through the table's unique constraint
 * before its handler runs, and its response (status and body) is stored when it is sent. A retry with the
 * same key and the same method, path and body replays that response (header `Idempotent-Replayed: true`),
 * a concurrent duplicate waits for it, and the same key with another request is IDEMPOTENCY_KEY_REUSED.
 * Requests refused by validation or authentication never reserve a key; 5xx answers release it so the
 * caller can retry. Keys are scoped to the caller (token or user) and expire after 24 hours.
 */
export function registerIdempotency(app: FastifyInstance, opts: IdempotencyOptions): void {
  const ttlMs = opts.ttlMs ?? 24 * 60 * 60_000;
  const waitMs = opts.waitMs ?? 30_000;
  const staleMs = opts.staleMs ?? 120_000;
  const { db, dataKey } = opts;
  let nextSweep = 0;

  app.decorateRequest('idempotencyReservation', null);

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || !request.principal || !isApiRoute(request)) return;
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (header === undefined) return;
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      throw new AppError(
        'VALIDATION_FAILED',
        'The Idempotency-Key header must be 1 to 255 visible ASCII characters (a UUID is a good choice).',
        {
          details: {
            issues: [{ in: 'headers', path: ['idempotency-key'], message: '1 to 255 visible ASCII characters.' }],
          },
        },
      );
    }
    const now = Date.now();
    if (now >= nextSweep) {
      nextSweep = now + 10 * 60_000;
      await db.idempotencyKey.deleteMany({ where: { expiresAt: { lte: new Date(now) } } });
    }
    const principal = actorOf(request.principal);
    const requestHash = hashRequest(request);
    const deadline = now + waitMs;
    for (let wait = 25; ; wait = Math.min(wait * 2, 250)) {
      const id = newId();
      try {
        await db.idempotencyKey.create({
          data: {
            id,
            key: header,
            principal,
            requestHash,
            statusCode: 0,
            responseBody: '',
            expiresAt: new Date(Date.now() + ttlMs),
          },
        });
        request.idempotencyReservation = id;
        return;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const row = await db.idempotencyKey.findUnique({ where: { principal_key: { principal, key: header } } });
      if (!row) continue; // released by a failed first request, or swept: reserve again
      const abandoned = row.statusCode === 0 && row.createdAt.getTime() < Date.now() - staleMs;
      if (row.expiresAt.getTime() <= Date.now() || abandoned) {
        await db.idempotencyKey.deleteMany({ where: { id: row.id } });
        continue;
      }
      if (row.requestHash !== requestHash) {
        throw new AppError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used for a different request (method, path or body); use a new key for a new request.',
        );
      }
      if (row.statusCode !== 0) return replay(reply, row.statusCode, dataKey.decrypt(row.responseBody));
      if (Date.now() > deadline) {
        throw new AppError(
          'IDEMPOTENCY_KEY_IN_PROGRESS',
          'The first request with this Idempotency-Key is still running; retry with the same key in a moment.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const id = request.idempotencyReservation;
    if (!id) return payload;
    request.idempotencyReservation = null;
    try {
      if (reply.statusCode >= 500 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
        await db.idempotencyKey.deleteMany({ where: { id } });
      } else {
        await db.idempotencyKey.update({
          where: { id },
          data: { statusCode: reply.statusCode, responseBody: dataKey.encrypt(payload.toString()) },
        });
      }
    } catch (error) {
      // The response still goes out; a retry with this key waits for the reservation to go stale.
      request.log.warn({ err: error }, 'could not store the idempotent response');
    }
    return payload;
  });
}

/** hashRequest is what "the same request" means: method, path with query, and the validated body. */
function hashRequest(request: FastifyRequest): string {
  const body = request.body === undefined ? '' : JSON.stringify(request.body);
  return crypto.createHash('sha256').update(`${request.method}\n${request.url}\n${body}`).digest('hex');
}

function replay(reply: FastifyReply, statusCode: number, body: string): FastifyReply {
  // A string with a JSON content type is sent as it is: the original serialized answer, byte for byte.
  return reply
    .status(statusCode)
    .header('content-type', 'application/json; charset=utf-8')
    .header('idempotent-replayed', 'true')
    .send(body);
}

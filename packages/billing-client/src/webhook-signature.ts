import crypto from 'node:crypto';
import { ZWebhookPayload, type TWebhookPayload } from '@berth/contracts';

/** WebhookSignatureError says why a delivery was refused: no header, a bad signature, or too old. */
export class WebhookSignatureError extends Error {}

/**
 * verifyWebhookSignature checks a `Berth-Signature: t=<unix>,v1=<hex>` header against the raw request
 * body: the hex must be HMAC-SHA256(secret, "<t>.<body>") and `t` within `toleranceSeconds` of now (a
 * replayed old delivery is refused). Pass the body exactly as received, before any JSON parsing.
 */
export function verifyWebhookSignature(opts: {
  secret: string;
  body: string | Buffer;
  header: string | undefined | null;
  toleranceSeconds?: number;
  now?: Date;
}): void {
  if (!opts.header) throw new WebhookSignatureError('No Berth-Signature header.');
  const parts = new Map<string, string[]>();
  for (const item of opts.header.split(',')) {
    const at = item.indexOf('=');
    if (at <= 0) continue;
    const name = item.slice(0, at).trim();
    parts.set(name, [...(parts.get(name) ?? []), item.slice(at + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t)) throw new WebhookSignatureError('The Berth-Signature header has no timestamp.');
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300))
    throw new WebhookSignatureError('The delivery is too old (or the clocks disagree).');
  const body = typeof opts.body === 'string' ? opts.body : opts.body.toString('utf8');
  const expected = Buffer.from(crypto.createHmac('sha256', opts.secret).update(`${t}.${body}`).digest('hex'));
  const ok = (parts.get('v1') ?? []).some((v) => {
    const given = Buffer.from(v);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
  if (!ok) throw new WebhookSignatureError('The signature does not match: wrong secret, or the body was changed.');
}

/** parseWebhook verifies a delivery and returns its typed payload. */
export function parseWebhook(opts: {
  secret: string;
  body: string | Buffer;
  header: string | undefined | null;
  toleranceSeconds?: number;
}): TWebhookPayload {
  verifyWebhookSignature(opts);
  return ZWebhookPayload.parse(JSON.parse(typeof opts.body === 'string' ? opts.body : opts.body.toString('utf8')));
}

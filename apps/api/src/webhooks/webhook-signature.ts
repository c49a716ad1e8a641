import crypto from 'node:crypto';

/** newWebhookSecret makes an endpoint's signing secret: `whsec_` and 256 random bits. */
export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64url')}`;
}

/**
 * signatureHeader is the `Berth-Signature` value for one attempt: `t=<unix seconds>,v1=<hex>` where the
 * hex is HMAC-SHA256 keyed with the whole secret string (UTF-8) over `<t>.<raw body>`. The timestamp lets
 * receivers refuse replays of an old delivery (five minutes is a good tolerance).
 */
export function signatureHeader({
  secret,
  body,
  timestamp,
}: {
  secret: string;
  body: string;
  timestamp: number;
}): string {
  const v1 = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

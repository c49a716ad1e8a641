export { BerthBillingClient, BerthApiError, type BerthBillingClientOptions } from './client.js';
export { verifyWebhookSignature, parseWebhook, WebhookSignatureError } from './webhook-signature.js';

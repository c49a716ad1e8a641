import crypto from 'node:crypto';
import { request } from 'undici';
import type {
  TAccount,
  TAccountUsage,
  TCreateAccountRequest,
  TCreatedWebhook,
  TCreateWebhookRequest,
  TErrorCode,
  TSsoLink,
  TUpdateWebhookRequest,
  TWebhook,
  TWebhookDelivery,
} from '@berth/contracts';

export interface BerthBillingClientOptions {
  /** The panel's address, e.g. `https://panel.example.com` (no /api/v1). */
  baseUrl: string;
  /** A `billing` (or full admin) API token: `berth_<id>_<secret>`. */
  token: string;
  /** Per-request timeout; 30 s by default. */
  timeoutMs?: number;
}

/** BerthApiError is a non-2xx answer: `code` is stable (see ERROR_CODES), `message` is for people. */
export class BerthApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: TErrorCode | 'UNKNOWN',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Page<T> = { items: T[]; total: number };

/**
 * BerthBillingClient is what a billing module (WHMCS, Blesta, HostBill, a custom shop) needs from Berth.
 * Every POST carries an Idempotency-Key (a fresh UUID unless you pass your own, such as the order id), so
 * a retry after a timeout never creates a second account.
 */
export class BerthBillingClient {
  private readonly base: string;

  constructor(private readonly opts: BerthBillingClientOptions) {
    this.base = `${opts.baseUrl.replace(/\/+$/, '')}/api/v1`;
  }

  createAccount(input: TCreateAccountRequest, opts: { idempotencyKey?: string } = {}): Promise<TAccount> {
    return this.send('POST', '/accounts', input, opts.idempotencyKey);
  }

  getAccount(id: string): Promise<TAccount> {
    return this.send('GET', `/accounts/${enc(id)}`);
  }

  listAccounts(
    query: { q?: string; status?: TAccount['status']; limit?: number; offset?: number } = {},
  ): Promise<Page<TAccount>> {
    return this.send('GET', `/accounts${queryString(query)}`);
  }

  suspendAccount(id: string, opts: { idempotencyKey?: string } = {}): Promise<TAccount> {
    return this.send('POST', `/accounts/${enc(id)}/suspend`, undefined, opts.idempotencyKey);
  }

  unsuspendAccount(id: string, opts: { idempotencyKey?: string } = {}): Promise<TAccount> {
    return this.send('POST', `/accounts/${enc(id)}/unsuspend`, undefined, opts.idempotencyKey);
  }

  async terminateAccount(id: string): Promise<void> {
    await this.send('DELETE', `/accounts/${enc(id)}`);
  }

  changePlan(id: string, planId: string): Promise<TAccount> {
    return this.send('PUT', `/accounts/${enc(id)}/plan`, { planId });
  }

  async changePassword(id: string, password: string): Promise<void> {
    await this.send('PUT', `/accounts/${enc(id)}/password`, { password });
  }

  usage(id: string): Promise<TAccountUsage> {
    return this.send('GET', `/accounts/${enc(id)}/usage`);
  }

  ssoLink(id: string): Promise<TSsoLink> {
    return this.send('POST', `/accounts/${enc(id)}/sso`);
  }

  /** Webhook management needs a full admin token; billing tokens cannot change where events go. */
  createWebhook(input: TCreateWebhookRequest): Promise<TCreatedWebhook> {
    return this.send('POST', '/webhooks', input);
  }

  listWebhooks(): Promise<Page<TWebhook>> {
    return this.send('GET', '/webhooks');
  }

  updateWebhook(id: string, input: TUpdateWebhookRequest): Promise<TWebhook> {
    return this.send('PATCH', `/webhooks/${enc(id)}`, input);
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.send('DELETE', `/webhooks/${enc(id)}`);
  }

  webhookDeliveries(
    id: string,
    query: { status?: TWebhookDelivery['status']; limit?: number; offset?: number } = {},
  ): Promise<Page<TWebhookDelivery>> {
    return this.send('GET', `/webhooks/${enc(id)}/deliveries${queryString(query)}`);
  }

  private async send<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.opts.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = idempotencyKey ?? crypto.randomUUID();
    const res = await request(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
    });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined; // not JSON: reported below with the status
    }
    if (res.statusCode >= 400) {
      const error = (json as { error?: { code?: TErrorCode; message?: string; details?: unknown } } | undefined)?.error;
      throw new BerthApiError(
        res.statusCode,
        error?.code ?? 'UNKNOWN',
        error?.message ?? `HTTP ${res.statusCode}`,
        error?.details,
      );
    }
    return json as T;
  }
}

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  return params.size > 0 ? `?${params}` : '';
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { CaddyConfig } from './caddy-config.js';
import type { THostRecord } from './hosts/host-record.js';
import type { CaddyLogger } from './logger.js';
import { silentLogger } from './logger.js';

/**
 * CaddyAdminAddress says where Caddy's admin API listens: a unix socket (preferred: put it in a 0700
 * directory only the panel can enter) or an `http://host:port` base URL on loopback.
 */
export type CaddyAdminAddress = { socketPath: string } | { url: string };

/**
 * CaddyAdminError is a non-2xx answer from Caddy's admin API, with Caddy's JSON error body kept verbatim
 * (Caddy's messages are the only useful diagnostic for a rejected config). Samples from Caddy 2.11.2:
 *
 * 500 (not 400) on `POST /config/` with a config Caddy cannot load; the old config keeps running:
 * ```
 * {"error":"loading new config: loading http app module: provision http: server a: setting up route handlers: route 0: loading handler modules: position 0: loading module 'file_server': decoding module config: http.handlers.file_server: json: unknown field \"nope\""}
 * ```
 * 412 on `POST /config/` with a stale `If-Match` (someone changed the config since our `GET`):
 * ```
 * {"error":"If-Match header did not match current config hash"}
 * ```
 */
export class CaddyAdminError extends Error {
  override readonly name = 'CaddyAdminError';
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** The raw response body (usually `{"error":"..."}`). */
  readonly body: string;

  constructor({ status, method, path, body }: { status: number; method: string; path: string; body: string }) {
    super(`caddy admin ${method} ${path} answered ${status}: ${extractCaddyError(body)}`);
    this.status = status;
    this.method = method;
    this.path = path;
    this.body = body;
  }
}

function extractCaddyError(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // Not JSON (e.g. a proxy's HTML error page): the raw text is the best message there is.
    return body.slice(0, 500);
  }
  return body.slice(0, 500);
}

/** PROBE_HOST is never a real host (`.invalid` is reserved), so looking it up only reads the table's ETag. */
const PROBE_HOST = 'etag-probe.berth.invalid';

/** Socket-level failures seen while Caddy restarts its admin listener after a config change. */
const RECONNECTABLE_CODES = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOENT',
  'EPIPE',
  'UND_ERR_CLOSED',
]);

/** LiveConfig is Caddy's running config (null when Caddy runs with no config) and its ETag. */
export interface LiveConfig {
  config: CaddyConfig | null;
  /** e.g. `"/config/ 6a5c3f…"`; send it back as `If-Match`. */
  etag: string;
}

/** CaddyHealth is the outcome of a health probe; `error` says why Caddy is considered down. */
export type CaddyHealth = { ok: true; latencyMs: number } | { ok: false; error: string };

export interface CaddyAdminClientOptions {
  address: CaddyAdminAddress;
  /** Per-request timeout; a 5,000-route load takes about 1 s on 2 cores. */
  timeoutMs?: number;
  /** How many times `load` re-reads the ETag and retries after a 412 before giving up. */
  maxConflictRetries?: number;
  logger?: CaddyLogger;
}

/**
 * CaddyAdminClient is Berth's one door to Caddy's admin API. It uses undici's `request` rather than the
 * global fetch because Caddy 2.11 answers 403 to requests carrying `Sec-Fetch-Mode` (which fetch always
 * sends) or a foreign `Origin`.
 */
export class CaddyAdminClient {
  readonly #dispatcher: Agent;
  readonly #origin: string;
  readonly #timeoutMs: number;
  readonly #maxConflictRetries: number;
  readonly #logger: CaddyLogger;

  constructor(options: CaddyAdminClientOptions) {
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxConflictRetries = options.maxConflictRetries ?? 5;
    this.#logger = options.logger ?? silentLogger;
    if ('socketPath' in options.address) {
      this.#dispatcher = new Agent({ connect: { socketPath: options.address.socketPath } });
      this.#origin = 'http://localhost';
    } else {
      this.#dispatcher = new Agent();
      this.#origin = new URL(options.address.url).origin;
    }
  }

  async #call({
    method,
    path,
    body,
    headers,
  }: {
    method: Dispatcher.HttpMethod;
    path: string;
    body?: string;
    headers?: Record<string, string>;
  }) {
    const res = await this.#requestWithReconnect({ method, path, body, headers });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode > 299)
      throw new CaddyAdminError({ status: res.statusCode, method, path, body: text });
    const etag = res.headers.etag;
    return { text, etag: typeof etag === 'string' ? etag : undefined };
  }

  /**
   * Caddy restarts its admin server on every config change and drops idle connections ("other side closed",
   * measured on 2.11.2), so connections are never reused (`reset`) and a request that fails at the socket
   * level is retried on a fresh connection. Retrying a guarded POST is safe: if the first one was applied,
   * the retry gets 412 and load() re-reads.
   */
  async #requestWithReconnect({
    method,
    path,
    body,
    headers,
  }: {
    method: Dispatcher.HttpMethod;
    path: string;
    body?: string | undefined;
    headers?: Record<string, string> | undefined;
  }) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(`${this.#origin}${path}`, {
          method,
          dispatcher: this.#dispatcher,
          reset: true,
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          ...(body !== undefined ? { body } : {}),
          headersTimeout: this.#timeoutMs,
          bodyTimeout: this.#timeoutMs,
        });
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (attempt >= 3 || typeof code !== 'string' || !RECONNECTABLE_CODES.has(code)) throw err;
        this.#logger.debug({ code, attempt, method, path }, 'caddy admin connection dropped; reconnecting');
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /** getConfig reads the whole running config and its ETag (`GET /config/`). */
  async getConfig(): Promise<LiveConfig> {
    const { text, etag } = await this.#call({ method: 'GET', path: '/config/' });
    if (etag === undefined)
      throw new CaddyAdminError({
        status: 200,
        method: 'GET',
        path: '/config/',
        body: 'response carried no ETag (Caddy older than 2.7?)',
      });
    return { config: JSON.parse(text) as CaddyConfig | null, etag };
  }

  /**
   * load replaces the whole config with `POST /config/` guarded by `If-Match` (`/load` ignores If-Match).
   * On 412 — someone else changed the config since the ETag was read — it re-reads the ETag and applies
   * `config` again, up to maxConflictRetries times. Loading a config equal to the running one is a no-op
   * in Caddy. Resolves with the number of attempts; rejects with CaddyAdminError (500 for a config Caddy
   * refuses, in which case the old config keeps running).
   */
  async load({ config, etag }: { config: CaddyConfig; etag?: string }): Promise<{ attempts: number }> {
    const body = JSON.stringify(config);
    let currentEtag = etag ?? (await this.getConfig()).etag;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#call({ method: 'POST', path: '/config/', body, headers: { 'if-match': currentEtag } });
        return { attempts: attempt };
      } catch (err) {
        if (!(err instanceof CaddyAdminError) || err.status !== 412 || attempt > this.#maxConflictRetries) throw err;
        this.#logger.warn({ attempt, etag: currentEtag }, 'caddy config changed concurrently; re-reading ETag');
        currentEtag = (await this.getConfig()).etag;
      }
    }
  }

  /**
   * health probes the admin endpoint with a cheap request (`GET /config/admin`). It never throws: a
   * reachable admin API that answers anything at all (even 400 when Caddy runs empty) counts as up.
   */
  async health(): Promise<CaddyHealth> {
    const started = performance.now();
    try {
      await this.#call({ method: 'GET', path: '/config/admin' });
    } catch (err) {
      if (!(err instanceof CaddyAdminError)) return { ok: false, error: (err as Error).message };
      this.#logger.debug({ status: err.status }, 'caddy admin answered health probe with an error status');
    }
    return { ok: true, latencyMs: performance.now() - started };
  }

  /**
   * hostsEtag reads the host table's ETag (`"<boot id>-<generation>"`) cheaply: a lookup of a name that is
   * never in the table answers 404, and every answer of Berth's module carries the ETag.
   */
  async hostsEtag(): Promise<string> {
    const path = `/berth/hosts/${PROBE_HOST}`;
    const res = await this.#requestWithReconnect({ method: 'GET', path });
    const body = await res.body.text();
    const etag = res.headers.etag;
    if (typeof etag !== 'string')
      throw new CaddyAdminError({
        status: res.statusCode,
        method: 'GET',
        path,
        body: body || 'no ETag: is this a Berth build of Caddy?',
      });
    return etag;
  }

  /** listHosts reads the whole host table (uploaded keys are not returned). */
  async listHosts(): Promise<{ etag: string; hosts: THostRecord[] }> {
    const { text, etag } = await this.#call({ method: 'GET', path: '/berth/hosts' });
    const parsed = JSON.parse(text) as { etag: string; hosts: THostRecord[] };
    return { etag: etag ?? parsed.etag, hosts: parsed.hosts };
  }

  /**
   * replaceHosts replaces the whole table. Records the module refuses are left out and listed in
   * `rejected`; every other record is in. `ifMatch` guards against a table changed since it was read (412).
   */
  async replaceHosts({
    hosts,
    ifMatch,
  }: {
    hosts: THostRecord[];
    ifMatch?: string;
  }): Promise<{ etag: string; rejected: { index: number; host: string; error: string }[] }> {
    const { text, etag } = await this.#call({
      method: 'PUT',
      path: '/berth/hosts',
      body: JSON.stringify({ hosts }),
      headers: ifMatch ? { 'if-match': ifMatch } : {},
    });
    const parsed = JSON.parse(text) as { etag: string; rejected?: { index: number; host: string; error: string }[] };
    return { etag: etag ?? parsed.etag, rejected: parsed.rejected ?? [] };
  }

  /** putHost writes one host's record (400 with the reason when the module refuses it; the table is unchanged). */
  async putHost({ record, ifMatch }: { record: THostRecord; ifMatch?: string }): Promise<{ etag: string }> {
    const path = `/berth/hosts/${encodeURIComponent(record.host)}`;
    const { text, etag } = await this.#call({
      method: 'PUT',
      path,
      body: JSON.stringify(record),
      headers: ifMatch ? { 'if-match': ifMatch } : {},
    });
    return { etag: etag ?? (JSON.parse(text) as { etag: string }).etag };
  }

  /** deleteHost removes one host; a host that is not in the table counts as removed. */
  async deleteHost({ host, ifMatch }: { host: string; ifMatch?: string }): Promise<{ etag: string | undefined }> {
    const path = `/berth/hosts/${encodeURIComponent(host)}`;
    try {
      const { text, etag } = await this.#call({
        method: 'DELETE',
        path,
        headers: ifMatch ? { 'if-match': ifMatch } : {},
      });
      return { etag: etag ?? (JSON.parse(text) as { etag: string }).etag };
    } catch (err) {
      if (err instanceof CaddyAdminError && err.status === 404) return { etag: undefined };
      throw err;
    }
  }

  /** close releases the connection pool. */
  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}

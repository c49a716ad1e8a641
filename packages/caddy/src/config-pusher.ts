import { CaddyAdminError } from './admin-client.js';
import type { CaddyAdminClient } from './admin-client.js';
import type { CaddyConfig } from './caddy-config.js';
import type { CaddyLogger } from './logger.js';
import { silentLogger } from './logger.js';
import { hashConfig } from './stable-hash.js';

/** PushOutcome is what one push attempt did; schedule() and pushNow() resolve with it and never reject. */
export type PushOutcome =
  { status: 'pushed'; hash: string } | { status: 'unchanged'; hash: string } | { status: 'failed'; error: Error };

/** PusherStats are monotonically increasing counters, for tests, benchmarks and metrics. */
export interface PusherStats {
  /** buildDesired() calls. */
  builds: number;
  /** Successful `POST /config/` (each one is a full Caddy reload). */
  pushes: number;
  /** Pushes avoided because the config equalled the last pushed or the live one. */
  skippedUnchanged: number;
  /** Push attempts that failed (build error, Caddy down, 400). */
  failures: number;
  /** Times the watcher found Caddy without Berth's config and forced a re-push. */
  recoveries: number;
}

export interface CaddyConfigPusherOptions {
  client: Pick<CaddyAdminClient, 'getConfig' | 'load'>;
  /** Builds the complete config from the current desired state (called once per push, at its start). */
  buildDesired: () => Promise<CaddyConfig>;
  /** Quiet period after the last schedule() before pushing (default 50 ms). */
  debounceMs?: number;
  /** Upper bound on how long a stream of schedule() calls can delay a push (default 500 ms). */
  maxDelayMs?: number;
  /** First retry delay after a failure, doubled up to retryMaxMs (defaults 500 ms, 30 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  logger?: CaddyLogger;
}

interface Waiter {
  resolve: (outcome: PushOutcome) => void;
}

/**
 * CaddyConfigPusher keeps Caddy's config (the skeleton) equal to buildDesired() while reloading Caddy as
 * rarely as possible: every Caddy config change reloads the whole config, so an unchanged one is never sent.
 *
 * Contract: schedule() after every change of the desired state. Calls within `debounceMs` of each other
 * (bounded by `maxDelayMs`) share one push; pushes are single-flight, and calls arriving during a push cause
 * exactly one more push after it. A push builds the config, hashes it, and skips the reload when the hash
 * equals the last pushed one or the live config's. Failures are retried with exponential backoff until a
 * push succeeds. watch() re-pushes when Caddy comes back empty (restart without --resume) or drifts.
 */
export class CaddyConfigPusher {
  readonly stats: PusherStats = { builds: 0, pushes: 0, skippedUnchanged: 0, failures: 0, recoveries: 0 };
  readonly #opts: Required<Omit<CaddyConfigPusherOptions, 'logger'>> & { logger: CaddyLogger };
  #lastPushedHash: string | undefined;
  #dirty = false;
  #force = false;
  #firstDirtyAt = 0;
  #waiters: Waiter[] = [];
  #debounceTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs = 0;
  #inFlight: Promise<void> | undefined;
  #closed = false;

  constructor(options: CaddyConfigPusherOptions) {
    this.#opts = {
      debounceMs: 50,
      maxDelayMs: 500,
      retryInitialMs: 500,
      retryMaxMs: 30_000,
      ...options,
      logger: options.logger ?? silentLogger,
    };
  }

  /** lastPushedHash is the hash of the config Caddy is known to run (undefined before the first push). */
  get lastPushedHash(): string | undefined {
    return this.#lastPushedHash;
  }

  /**
   * schedule says "the desired state changed". The returned promise resolves after a push that started
   * after this call (so it saw the change) has finished; it never rejects, so callers may ignore it.
   */
  schedule(): Promise<PushOutcome> {
    return this.#enqueue({ force: false, immediate: false });
  }

  /**
   * pushNow pushes without waiting for the debounce (start-up, tests). With `force`, the last pushed hash is
   * not trusted (Caddy may have restarted): the live config is read and compared instead.
   */
  pushNow({ force = false }: { force?: boolean } = {}): Promise<PushOutcome> {
    return this.#enqueue({ force, immediate: true });
  }

  #enqueue({ force, immediate }: { force: boolean; immediate: boolean }): Promise<PushOutcome> {
    if (this.#closed) return Promise.resolve({ status: 'failed', error: new Error('pusher is closed') });
    const promise = new Promise<PushOutcome>((resolve) => this.#waiters.push({ resolve }));
    const now = Date.now();
    if (!this.#dirty) this.#firstDirtyAt = now;
    this.#dirty = true;
    this.#force ||= force;
    if (immediate && this.#retryTimer !== undefined) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    // While backing off after a failure, the retry timer owns the next attempt.
    if (this.#retryTimer !== undefined) return promise;
    if (this.#debounceTimer !== undefined) clearTimeout(this.#debounceTimer);
    const delay = immediate
      ? 0
      : Math.max(0, Math.min(this.#opts.debounceMs, this.#firstDirtyAt + this.#opts.maxDelayMs - now));
    this.#debounceTimer = setTimeout(() => {
      this.#debounceTimer = undefined;
      this.#drain();
    }, delay);
    return promise;
  }

  #drain(): void {
    if (this.#inFlight !== undefined) return; // the running loop picks up the dirty flag
    this.#inFlight = this.#loop().finally(() => {
      this.#inFlight = undefined;
    });
  }

  async #loop(): Promise<void> {
    while (this.#dirty && !this.#closed) {
      this.#dirty = false;
      const waiters = this.#waiters;
      this.#waiters = [];
      const force = this.#force;
      this.#force = false;
      const outcome = await this.#pushOnce({ force });
      for (const waiter of waiters) waiter.resolve(outcome);
      if (outcome.status === 'failed') {
        this.#armRetry();
        return;
      }
      this.#retryDelayMs = 0;
    }
  }

  #armRetry(): void {
    if (this.#closed) return;
    this.#retryDelayMs =
      this.#retryDelayMs === 0 ? this.#opts.retryInitialMs : Math.min(this.#retryDelayMs * 2, this.#opts.retryMaxMs);
    this.#dirty = true;
    if (this.#debounceTimer !== undefined) {
      clearTimeout(this.#debounceTimer);
      this.#debounceTimer = undefined;
    }
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#drain();
    }, this.#retryDelayMs);
  }

  async #pushOnce({ force }: { force: boolean }): Promise<PushOutcome> {
    const started = performance.now();
    try {
      this.stats.builds++;
      const config = await this.#opts.buildDesired();
      const hash = hashConfig(config);
      if (!force && hash === this.#lastPushedHash) {
        this.stats.skippedUnchanged++;
        return { status: 'unchanged', hash };
      }
      const live = await this.#opts.client.getConfig();
      if (live.config !== null && hashConfig(live.config) === hash) {
        this.#lastPushedHash = hash;
        this.stats.skippedUnchanged++;
        return { status: 'unchanged', hash };
      }
      await this.#opts.client.load({ config, etag: live.etag });
      this.#lastPushedHash = hash;
      this.stats.pushes++;
      this.#opts.logger.info({ hash, ms: Math.round(performance.now() - started) }, 'caddy config pushed');
      return { status: 'pushed', hash };
    } catch (err) {
      this.stats.failures++;
      const error = err instanceof Error ? err : new Error(String(err));
      this.#opts.logger.error(
        {
          err: error,
          ...(err instanceof CaddyAdminError ? { status: err.status, body: err.body } : {}),
          retryInMs: this.#nextRetryMs(),
        },
        'caddy config push failed',
      );
      return { status: 'failed', error };
    }
  }

  #nextRetryMs(): number {
    return this.#retryDelayMs === 0
      ? this.#opts.retryInitialMs
      : Math.min(this.#retryDelayMs * 2, this.#opts.retryMaxMs);
  }

  /**
   * checkOnce compares Caddy's live config with what was last pushed (the skeleton is small, so the whole
   * config is hashed). On a mismatch it forces a push and resolves with its outcome; otherwise with
   * undefined. Throws when Caddy's admin API is unreachable.
   */
  async checkOnce(): Promise<PushOutcome | undefined> {
    // A push is pending or running: the live config is legitimately behind, and that push will fix it anyway.
    if (this.#dirty || this.#inFlight !== undefined) return undefined;
    const live = await this.#opts.client.getConfig();
    if (live.config !== null && hashConfig(live.config) === this.#lastPushedHash) return undefined;
    this.stats.recoveries++;
    this.#opts.logger.warn({}, 'caddy is not running the pushed config; re-pushing');
    return this.pushNow({ force: true });
  }

  /**
   * watch runs checkOnce every `intervalMs` (default 5 s) until the returned stop() is called. Unreachable
   * Caddy is logged and retried on the next tick; when it comes back with another config, it is re-pushed.
   */
  watch({ intervalMs = 5_000 }: { intervalMs?: number } = {}): { stop: () => void } {
    let running = false;
    const timer = setInterval(() => {
      if (running || this.#closed) return;
      running = true;
      this.checkOnce()
        .catch((err: unknown) => this.#opts.logger.warn({ err }, 'caddy admin API unreachable; will check again'))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    return { stop: () => clearInterval(timer) };
  }

  /** close cancels timers; pending schedule() promises resolve as failed. Waits for an in-flight push. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#debounceTimer !== undefined) clearTimeout(this.#debounceTimer);
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    await this.#inFlight;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.resolve({ status: 'failed', error: new Error('pusher is closed') });
  }
}

import { AppError } from '../errors.js';

/** HashGateOptions bound how much argon2 work runs and waits at once; see HashGate. */
export interface HashGateOptions {
  /** Verifications running at once, panel-wide (argon2 runs on libuv's 4 threads, 19 MiB each). */
  max: number;
  /** Verifications running at once for one client address. */
  perAddress: number;
  /** Slots only addresses without recent failures may take, so a known-bad flood never fills the gate. */
  reservedForClean: number;
  /** Requests from addresses without recent failures that may wait for a slot (the rest are refused at once). */
  maxWaiting: number;
  /** How long such a request waits before it is refused. */
  maxWaitMs: number;
}

export const HASH_GATE_DEFAULTS: HashGateOptions = {
  max: 4,
  perAddress: 2,
  reservedForClean: 1,
  maxWaiting: 16,
  maxWaitMs: 2_000,
};

interface Waiter {
  address: string;
  grant: (release: () => void) => void;
}

/**
 * HashGate is the semaphore around password verification. A request from an address that failed lately
 * ("suspect") gets a slot at once or 429 at once, never a place in a queue, and cannot take the last
 * `reservedForClean` slots. A request from a clean address may wait briefly in a small FIFO (bounded in
 * length and time) so that legitimate users arriving together are not turned away; waiters get freed
 * slots before anyone new. One address holds at most `perAddress` slots, so a scripted burst from one
 * host occupies two, never all. Synchronous bookkeeping in one event loop: no lock needed.
 */
export class HashGate {
  private running = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly waiting: Waiter[] = [];

  constructor(private readonly opts: HashGateOptions = HASH_GATE_DEFAULTS) {}

  /** tryAcquire returns the release function of a slot, or null when none is free for this caller now. */
  tryAcquire(address: string, suspect: boolean): (() => void) | null {
    const limit = suspect ? this.opts.max - this.opts.reservedForClean : this.opts.max;
    if (this.running >= limit || this.waiting.length > 0 || !this.fits(address)) return null;
    return this.take(address);
  }

  /**
   * run holds a slot for `work`: at once, or for a clean address after a short wait, else RATE_LIMITED
   * (retry in a second) without doing any of the work.
   */
  async run<T>(address: string, suspect: boolean, work: () => Promise<T>): Promise<T> {
    const release =
      this.tryAcquire(address, suspect) ?? (suspect || !this.fits(address) ? null : await this.wait(address));
    if (!release) {
      throw new AppError('RATE_LIMITED', 'The panel is busy checking other sign-ins. Try again in a second.', {
        details: { retryAfterSeconds: 1 },
      });
    }
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** inFlight is how many verifications run now (for tests and the bench). */
  get inFlight(): number {
    return this.running;
  }

  private fits(address: string): boolean {
    return (this.byAddress.get(address) ?? 0) < this.opts.perAddress;
  }

  private take(address: string): () => void {
    this.running++;
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
      this.handOver();
    };
  }

  /** wait queues a clean request for a slot; it resolves null when the queue is full or the wait ran out. */
  private wait(address: string): Promise<(() => void) | null> {
    if (this.waiting.length >= this.opts.maxWaiting) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        address,
        grant: (release) => {
          clearTimeout(timer);
          resolve(release);
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        resolve(null);
      }, this.opts.maxWaitMs);
      this.waiting.push(waiter);
    });
  }

  /** handOver gives freed slots to the first waiters whose address may take one. */
  private handOver(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.opts.max;) {
      const waiter = this.waiting[i]!;
      if (!this.fits(waiter.address)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      waiter.grant(this.take(waiter.address));
    }
  }
}

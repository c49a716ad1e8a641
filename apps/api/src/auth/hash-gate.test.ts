import { afterEach, describe, expect, it, vi } from 'vitest';
import { HashGate } from './hash-gate.js';

const NO_WAIT = { maxWaiting: 0, maxWaitMs: 0 };

/** pending is a piece of work that finishes when the test says so. */
function pending(): { promise: Promise<void>; finish: () => void } {
  let finish!: () => void;
  const promise = new Promise<void>((resolve) => (finish = resolve));
  return { promise, finish };
}

describe('HashGate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds at most `perAddress` slots per address and `max` in all', () => {
    const gate = new HashGate({ max: 4, perAddress: 2, reservedForClean: 1, ...NO_WAIT });
    const a1 = gate.tryAcquire('a', false);
    expect(a1).not.toBeNull();
    expect(gate.tryAcquire('a', false)).not.toBeNull();
    expect(gate.tryAcquire('a', false)).toBeNull();
    expect(gate.tryAcquire('b', false)).not.toBeNull();
    expect(gate.tryAcquire('c', false)).not.toBeNull();
    expect(gate.tryAcquire('d', false)).toBeNull();
    a1!();
    a1!();
    expect(gate.inFlight).toBe(3);
    expect(gate.tryAcquire('a', false)).not.toBeNull();
  });

  it('keeps the reserved slot for addresses without recent failures', () => {
    const gate = new HashGate({ max: 2, perAddress: 2, reservedForClean: 1, ...NO_WAIT });
    expect(gate.tryAcquire('bad', true)).not.toBeNull();
    expect(gate.tryAcquire('bad', true)).toBeNull();
    expect(gate.tryAcquire('worse', true)).toBeNull();
    expect(gate.tryAcquire('clean', false)).not.toBeNull();
  });

  it('refuses a suspect address at once when full, and frees the slot when the work fails', async () => {
    const gate = new HashGate({ max: 1, perAddress: 1, reservedForClean: 0, maxWaiting: 4, maxWaitMs: 1_000 });
    const work = pending();
    const running = gate.run('a', false, () => work.promise);
    await expect(gate.run('b', true, async () => 'never')).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      details: { retryAfterSeconds: 1 },
    });
    work.finish();
    await running;
    await expect(gate.run('b', false, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(gate.inFlight).toBe(0);
  });

  it('lets clean addresses wait briefly, first come first served, in a bounded queue', async () => {
    vi.useFakeTimers();
    const gate = new HashGate({ max: 1, perAddress: 1, reservedForClean: 0, maxWaiting: 2, maxWaitMs: 1_000 });
    const first = pending();
    const order: string[] = [];
    const running = gate.run('a', false, () => first.promise);
    const second = gate.run('b', false, async () => void order.push('b'));
    const third = gate.run('c', false, async () => void order.push('c'));
    // The queue holds two: a fourth clean request, and anyone from a suspect address, is refused at once.
    await expect(gate.run('d', false, async () => 'never')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(gate.run('e', true, async () => 'never')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    first.finish();
    await Promise.all([running, second, third]);
    expect(order).toEqual(['b', 'c']);

    const blocker = pending();
    const held = gate.run('a', false, () => blocker.promise);
    const late = gate.run('f', false, async () => 'never');
    vi.advanceTimersByTime(1_000);
    await expect(late).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    blocker.finish();
    await held;
    expect(gate.inFlight).toBe(0);
  });
});

import type { TEvent } from '@berth/contracts';
import { describe, expect, it } from 'vitest';
import { collapseRetries } from './collapseRetries';

let n = 0;
const ev = (over: Partial<TEvent>): TEvent => ({
  id: `evt${String(++n).padStart(7, '0')}`,
  at: new Date(Date.UTC(2026, 10, 30, 10, 60 - n)).toISOString(),
  actor: 'system',
  actorName: null,
  action: 'tenant.reconcile-failed',
  targetType: 'tenant',
  targetId: 'ten0000001',
  targetName: 'acme',
  tenantId: 'ten0000001',
  result: 'error',
  message: null,
  ip: null,
  details: null,
  ...over,
});

describe('collapseRetries', () => {
  it('folds consecutive repeats of the panel into one line with the count, newest shown, oldest kept', () => {
    const run = [ev({}), ev({}), ev({})];
    const lines = collapseRetries(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({ event: run[0], count: 3, firstAt: run[2]!.at });
  });

  it.each<[string, Partial<TEvent>]>([
    ['a person', { actor: 'user:user000001' }],
    ['another action', { action: 'tenant.runtime-ensure' }],
    ['another target', { targetId: 'ten0000002' }],
    ['another result', { result: 'ok' }],
  ])('does not fold an event of %s', (_, over) => {
    expect(collapseRetries([ev({}), ev(over), ev({})]).map((l) => l.count)).toEqual([1, 1, 1]);
  });

  it('never folds people repeating themselves', () => {
    const person = { actor: 'user:user000001', action: 'site.update', targetType: 'site', targetId: 'site000001' };
    expect(collapseRetries([ev(person), ev(person)]).map((l) => l.count)).toEqual([1, 1]);
  });
});

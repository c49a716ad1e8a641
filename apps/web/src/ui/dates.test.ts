import { describe, expect, it } from 'vitest';
import { formatElapsed } from './dates';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('formatElapsed', () => {
  it('says how long ago a timestamp was, coarsely', () => {
    expect(formatElapsed(ago(30_000), NOW)).toBe('less than a minute');
    expect(formatElapsed(ago(4 * 60_000 + 59_000), NOW)).toBe('4 min');
    expect(formatElapsed(ago(120 * 60_000), NOW)).toBe('2 h');
    expect(formatElapsed(ago(125 * 60_000), NOW)).toBe('2 h 5 min');
    expect(formatElapsed(ago(26 * 3_600_000), NOW)).toBe('1 day');
    expect(formatElapsed(ago(3 * 86_400_000), NOW)).toBe('3 days');
  });

  it('does not count backwards from a clock ahead of ours, nor from a timestamp it cannot read', () => {
    expect(formatElapsed(ago(-5_000), NOW)).toBe('less than a minute');
    expect(formatElapsed('not a date', NOW)).toBe('an unknown time');
  });
});

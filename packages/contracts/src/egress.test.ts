import { describe, expect, it } from 'vitest';
import { EGRESS_ALLOW_MAX, parseEgressAllowEntry, ZEgressAllow } from './egress.js';

describe('parseEgressAllowEntry', () => {
  it.each([
    ['10.0.5.0/24', { address: '10.0.5.0', prefix: 24 }],
    ['10.0.5.0/24:3306', { address: '10.0.5.0', prefix: 24, port: 3306 }],
    ['203.0.113.7/32:25', { address: '203.0.113.7', prefix: 32, port: 25 }],
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8 }],
  ])('reads %j', (value, entry) => {
    expect(parseEgressAllowEntry(value)).toEqual({ ok: true, entry });
  });

  it.each([
    ['0.0.0.0/0', /at most a \/8/],
    ['128.0.0.0/1', /at most a \/8/],
    ['10.0.5.1/24', /host bits set; use 10\.0\.5\.0\/24/],
    ['10.0.5.0/24:0', /CIDR/],
    ['10.0.5.0/24:65536', /between 1 and 65535/],
    ['10.0.5.0/24:080', /CIDR/],
    ['10.0.5.0', /CIDR/],
    ['10.0.5.0/33', /CIDR/],
    ['010.0.5.0/24', /CIDR/],
    ['fd00::/8', /CIDR/],
    ['10.0.5.0/24 ', /CIDR/],
    ['10.0.5.0/24:3306 -j ACCEPT', /CIDR/],
  ])('refuses %j', (value, reason) => {
    const parsed = parseEgressAllowEntry(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('ZEgressAllow', () => {
  it('accepts an empty list and distinct entries', () => {
    expect(ZEgressAllow.parse([])).toEqual([]);
    expect(ZEgressAllow.parse(['10.0.5.0/24:3306', '10.0.5.0/24:5432'])).toEqual([
      '10.0.5.0/24:3306',
      '10.0.5.0/24:5432',
    ]);
  });

  it('refuses duplicates, more than the maximum, and a bad entry', () => {
    expect(ZEgressAllow.safeParse(['10.0.5.0/24', '10.0.5.0/24']).success).toBe(false);
    expect(
      ZEgressAllow.safeParse(Array.from({ length: EGRESS_ALLOW_MAX + 1 }, (_, i) => `10.0.${i}.0/24`)).success,
    ).toBe(false);
    expect(ZEgressAllow.safeParse(['0.0.0.0/0']).success).toBe(false);
  });
});

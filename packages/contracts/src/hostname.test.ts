import { describe, expect, it } from 'vitest';
import { HOSTNAME_PATTERN, normalizeHostname } from './hostname.js';

describe('normalizeHostname', () => {
  it.each([
    ['example.com', 'example.com'],
    ['WWW.Example.COM', 'www.example.com'],
    ['example.com.', 'example.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['münchen.bücher.de', 'xn--mnchen-3ya.xn--bcher-kva.de'],
    ['a-b.c-d.test', 'a-b.c-d.test'],
    ['site.localhost', 'site.localhost'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
  ])('accepts %j as %j', (input, expected) => {
    const result = normalizeHostname(input);
    expect(result).toEqual({ ok: true, hostname: expected });
    expect(HOSTNAME_PATTERN.test(expected)).toBe(true);
  });

  it.each([
    ['a.com\n}', /letters, digits, hyphens/],
    ['a.com\t', /letters, digits, hyphens/],
    ['ex ample.com', /letters, digits, hyphens/],
    ['*.x.com', /Wildcard/],
    ['a.*.com', /Wildcard|only allowed/],
    ['-a.com', /start and end/],
    ['a-.com', /start and end/],
    ['ab--cd.com', /reserved/],
    ['xn--garbage.com', /not a valid hostname/],
    ['xn--.com', /not a valid hostname/],
    ['a..com', /not a valid hostname|empty/],
    ['localhost', /at least two labels/],
    ['127.0.0.1', /IP addresses/],
    ['a.com:80', /letters, digits, hyphens/],
    ['a.com/x', /letters, digits, hyphens/],
    [`${'a'.repeat(64)}.com`, /63/],
    [`${'a'.repeat(300)}.com`, /253/],
    ['', /Enter a hostname/],
  ])('refuses %j with a reason', (input, reason) => {
    const result = normalizeHostname(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('allows a leading wildcard only when asked', () => {
    expect(normalizeHostname('*.Example.com', { allowWildcard: true })).toEqual({
      ok: true,
      hostname: '*.example.com',
    });
    expect(normalizeHostname('*.com', { allowWildcard: true }).ok).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { firstHost } from './tenant-network.js';

describe('firstHost', () => {
  it.each([
    ['10.208.0.32/27', '10.208.0.33'],
    ['10.208.0.0/27', '10.208.0.1'],
    ['192.168.7.200/29', '192.168.7.201'],
    ['10.208.0.37/27', '10.208.0.33'],
    ['172.31.255.224/27', '172.31.255.225'],
  ])('%s → %s', (subnet, gateway) => {
    expect(firstHost(subnet)).toBe(gateway);
  });

  it('answers nothing for what is not an IPv4 subnet with hosts', () => {
    expect(firstHost('fd00::/64')).toBeUndefined();
    expect(firstHost('10.0.0.1/32')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { renderVarnishVcl } from './varnish.config.js';
import { expectGolden } from './golden.helper.js';

const TOKEN = 'a'.repeat(48);

describe('renderVarnishVcl', () => {
  it('renders the tenant VCL with the gateway ACL and token (golden)', () => {
    expectGolden(
      'varnish.acme.vcl',
      renderVarnishVcl({ tenantId: 'acme', purgeAllowFrom: ['172.18.0.1'], purgeToken: TOKEN }),
    );
  });

  it.each(['172.18.0.1"; }', '256.1.1.1', 'localhost', '::1'])('rejects ACL entry %j', (ip) => {
    expect(() => renderVarnishVcl({ tenantId: 'acme', purgeAllowFrom: [ip], purgeToken: TOKEN })).toThrow(
      /Invalid IPv4/,
    );
  });

  it('rejects a token that could end the VCL string', () => {
    expect(() =>
      renderVarnishVcl({ tenantId: 'acme', purgeAllowFrom: ['172.18.0.1'], purgeToken: `${TOKEN}"` }),
    ).toThrow(/Invalid token/);
  });

  it('needs at least one purge address', () => {
    expect(() => renderVarnishVcl({ tenantId: 'acme', purgeAllowFrom: [], purgeToken: TOKEN })).toThrow(
      /purge address/,
    );
  });
});

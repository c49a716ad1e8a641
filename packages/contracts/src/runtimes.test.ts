import { describe, expect, it } from 'vitest';
import { parsePhpVersion } from './runtimes.js';
import { ZRuntimeChoice } from './sites.js';

describe('PHP version', () => {
  it('is parsed once from text: a catalog version passes, any other is refused', () => {
    expect(parsePhpVersion('8.2')).toBe('8.2');
    expect(() => parsePhpVersion('5.6')).toThrow();
    expect(() => parsePhpVersion('8.2; rm -rf /')).toThrow();
  });

  it('comes out of a runtime choice as the catalog version, the default when none is picked', () => {
    expect(ZRuntimeChoice.parse({ kind: 'php' })).toEqual({ kind: 'php', version: '8.4' });
    expect(ZRuntimeChoice.parse({ kind: 'node', version: '18' })).toEqual({ kind: 'node', version: '18' });
    expect(ZRuntimeChoice.safeParse({ kind: 'php', version: '5.6' }).error?.issues).toMatchObject([
      { path: ['version'], message: expect.stringMatching(/not offered for php/) },
    ]);
  });
});

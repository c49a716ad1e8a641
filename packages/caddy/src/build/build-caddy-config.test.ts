import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashConfig } from '../stable-hash.js';
import { buildCaddyConfig } from './build-caddy-config.js';
import type { BuildCaddyConfigOptions } from './options.js';

// Golden tests in the style of Caddy's caddyfile_adapt tests: each __golden__/<case>.json holds a
// description, the builder input and the exact expected Caddy JSON. `UPDATE_GOLDEN=1` rewrites `output`
// (review the diff before committing it).
const GOLDEN_DIR = join(import.meta.dirname, '__golden__');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface GoldenCase {
  description: string;
  input: BuildCaddyConfigOptions;
  output: unknown;
}

const cases = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.json')).sort();

describe('buildCaddyConfig golden files', () => {
  it('has golden cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
  });

  for (const file of cases) {
    it(file, () => {
      const path = join(GOLDEN_DIR, file);
      const golden = JSON.parse(readFileSync(path, 'utf8')) as GoldenCase;
      const actual = JSON.parse(JSON.stringify(buildCaddyConfig(golden.input))) as unknown;
      if (UPDATE) {
        writeFileSync(path, `${JSON.stringify({ ...golden, output: actual }, null, 2)}\n`);
        return;
      }
      expect(golden.output, `${file} has no output; run with UPDATE_GOLDEN=1`).not.toBeNull();
      expect(actual).toEqual(golden.output);
    });
  }
});

describe('buildCaddyConfig determinism', () => {
  it('gives the same hash whatever the order of tenants, sites and domains', () => {
    const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, 'suspended-tenant.json'), 'utf8')) as GoldenCase;
    const reversed: BuildCaddyConfigOptions = {
      ...golden.input,
      desired: {
        tenants: [...golden.input.desired.tenants].reverse().map((t) => ({
          ...t,
          sites: [...t.sites].reverse().map((s) => ({ ...s, domains: [...s.domains].reverse() })),
        })),
      },
    };
    expect(hashConfig(buildCaddyConfig(reversed))).toBe(hashConfig(buildCaddyConfig(golden.input)));
  });
});

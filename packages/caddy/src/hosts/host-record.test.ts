import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateHostRecord } from './host-record.js';

// The shared test vector of Berth's Caddy module (record_test.go reads the same file): every record the
// module accepts, the TypeScript side accepts, and every record the module refuses, it refuses too, so
// the panel never sends a record that would be refused (and reports it against its own domain instead).
const vector = JSON.parse(readFileSync(join(import.meta.dirname, '../../module/testdata/records.json'), 'utf8')) as {
  static_base: string;
  valid: unknown[];
  invalid: { record: unknown; error: string }[];
};

describe('host records (shared vector with the Caddy module)', () => {
  it.each(vector.valid.map((record, i) => [i, record]))('accepts valid record %i', (_i, record) => {
    expect(validateHostRecord(record, { staticBase: vector.static_base })).toBeNull();
  });

  it.each(vector.invalid.map(({ record, error }, i) => [i, error, record]))(
    'refuses invalid record %i (module: %s)',
    (_i, _error, record) => {
      expect(validateHostRecord(record, { staticBase: vector.static_base })).not.toBeNull();
    },
  );
});

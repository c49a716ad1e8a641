import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataKey } from './data-key.js';

describe('DataKey: the key file is private to the panel', () => {
  let dataDir: string;
  let file: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-key-'));
    file = path.join(dataDir, 'secrets', 'data.key');
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the key 0600 even under a permissive umask, and loads it again', () => {
    const previous = process.umask(0o000);
    try {
      const key = DataKey.loadOrCreate(dataDir);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(DataKey.loadOrCreate(dataDir).decrypt(key.encrypt('secret'))).toBe('secret');
    } finally {
      process.umask(previous);
    }
  });

  it.each(['0644', '0640', '0604', '0660', '0606', '0620'])(
    'refuses to start with a key file of mode %s, saying how to fix it',
    (mode) => {
      DataKey.loadOrCreate(dataDir);
      fs.chmodSync(file, Number.parseInt(mode, 8));
      expect(() => DataKey.loadOrCreate(dataDir)).toThrow(/readable or writable by other users.*chmod 600/);
    },
  );

  it.skipIf(process.getuid?.() !== 0)('refuses to start with a key file owned by another user', () => {
    DataKey.loadOrCreate(dataDir);
    fs.chownSync(file, 54321, 54321);
    expect(() => DataKey.loadOrCreate(dataDir)).toThrow(/owned by uid 54321/);
  });

  it('refuses a key file that is a symbolic link', () => {
    DataKey.loadOrCreate(dataDir);
    const elsewhere = path.join(dataDir, 'elsewhere.key');
    fs.renameSync(file, elsewhere);
    fs.symlinkSync(elsewhere, file);
    expect(() => DataKey.loadOrCreate(dataDir)).toThrow(/not a regular file/);
  });
});

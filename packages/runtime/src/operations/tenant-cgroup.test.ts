import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { convergeCgroupfs } from './tenant-cgroup.js';

// cgroup v2 is not what this machine's engine runs (the integration test covers v1 on the real kernel), so
// the v2 writer is checked against a directory laid out like /sys/fs/cgroup: which files it writes, in
// which syntax, and that it enables the controllers on the way down.

const MiB = 1024 * 1024;
let root: string;
const files = (dir: string, entries: Record<string, string>) => {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(entries)) writeFileSync(join(dir, name), text);
};
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8');

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'berth-cgroup-'));
  files(root, { 'cgroup.subtree_control': 'cpu memory pids\n' });
  files(join(root, 'berth-abc'), { 'cgroup.subtree_control': '\n' });
  // What the kernel puts in a fresh cgroup: no limits.
  files(join(root, 'berth-abc', 'acme'), {
    'cgroup.subtree_control': '\n',
    'memory.max': 'max\n',
    'memory.swap.max': 'max\n',
    'cpu.max': 'max 100000\n',
    'pids.max': 'max\n',
  });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('convergeCgroupfs on cgroup v2', () => {
  const host = () => ({ driver: 'cgroupfs' as const, version: 2 as const, root });
  const params = {
    instance: 'abc',
    parent: '/berth-abc/acme',
    limits: { nanoCpus: 500_000_000, memoryBytes: 256 * MiB, pids: 128 },
  };

  it('writes memory.max, no swap, cpu.max and pids.max, and enables the controllers in the parents only where missing', async () => {
    await convergeCgroupfs(host(), { ...params, mode: 'widen' });
    expect(read('berth-abc', 'acme', 'memory.max')).toBe(String(256 * MiB));
    expect(read('berth-abc', 'acme', 'memory.swap.max')).toBe('0');
    expect(read('berth-abc', 'acme', 'cpu.max')).toBe('50000 100000');
    expect(read('berth-abc', 'acme', 'pids.max')).toBe('128');
    expect(read('cgroup.subtree_control')).toBe('cpu memory pids\n');
    expect(read('berth-abc', 'cgroup.subtree_control')).toBe('+cpu +memory +pids');
  });

  it('keeps the larger of old and new limits while widening and sets the plan exactly afterwards', async () => {
    await convergeCgroupfs(host(), { ...params, mode: 'exact' });
    const smaller = { ...params, limits: { nanoCpus: 250_000_000, memoryBytes: 128 * MiB, pids: 256 } };
    expect(await convergeCgroupfs(host(), { ...smaller, mode: 'widen' })).toEqual({
      memoryBytes: 256 * MiB,
      cpuQuotaUs: 50_000,
      pids: 256,
    });
    expect(read('berth-abc', 'acme', 'memory.max')).toBe(String(256 * MiB));
    await convergeCgroupfs(host(), { ...smaller, mode: 'exact' });
    expect(read('berth-abc', 'acme', 'memory.max')).toBe(String(128 * MiB));
    expect(read('berth-abc', 'acme', 'cpu.max')).toBe('25000 100000');
  });

  it('fails with LIMITS_FAILED when a controller’s file is missing (controller not enabled)', async () => {
    rmSync(join(root, 'berth-abc', 'acme', 'pids.max'));
    await expect(convergeCgroupfs(host(), { ...params, mode: 'exact' })).rejects.toMatchObject({
      code: 'LIMITS_FAILED',
    });
  });
});

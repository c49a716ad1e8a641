import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { edgeLogsDir, tenantsRoot } from '../layout.js';
import type { DockerDriver } from '../runtime.types.js';
import { removeTenant } from './remove.js';

/** An engine that has nothing of the tenant left: removal is then about files only. */
const emptyEngine = {
  listContainers: async () => [],
  listNetworks: async () => [],
  listVolumes: async () => ({ Volumes: [], Warnings: [] }),
} as unknown as Docker;

describe('removeTenant: what a terminated tenant leaves on disk', () => {
  let dataDir: string;
  let ctx: DockerDriver;
  const write = (file: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"status":200}\n');
  };
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-remove-'));
    ctx = { docker: emptyEngine, instance: 'test', profile: 'local', dataDir };
    for (const tenant of ['gone', 'stays']) {
      write(path.join(tenantsRoot(dataDir), tenant, 'sites', 'www', 'public', 'index.html'));
      write(path.join(edgeLogsDir(dataDir), tenant, `${tenant}.example.test.log`));
      write(path.join(edgeLogsDir(dataDir), tenant, `${tenant}.example.test-2026-01-01T00-00-00.000.log.gz`));
    }
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('deletes the edge access logs with the site files on termination, and nobody else’s', async () => {
    await removeTenant(ctx, { tenantId: 'gone', deleteSiteFiles: true });
    expect(fs.existsSync(path.join(tenantsRoot(dataDir), 'gone'))).toBe(false);
    expect(fs.existsSync(path.join(edgeLogsDir(dataDir), 'gone'))).toBe(false);
    expect(fs.readdirSync(path.join(edgeLogsDir(dataDir), 'stays'))).toHaveLength(2);
    expect(fs.existsSync(path.join(tenantsRoot(dataDir), 'stays', 'sites', 'www', 'public', 'index.html'))).toBe(true);
    // Idempotent: a second pass finds nothing and succeeds.
    await removeTenant(ctx, { tenantId: 'gone', deleteSiteFiles: true });
  });

  it('keeps the access logs of a suspended tenant (its files are kept too)', async () => {
    await removeTenant(ctx, { tenantId: 'gone', deleteSiteFiles: false });
    expect(fs.readdirSync(path.join(edgeLogsDir(dataDir), 'gone'))).toHaveLength(2);
    expect(fs.existsSync(path.join(tenantsRoot(dataDir), 'gone', 'sites', 'www', 'public', 'index.html'))).toBe(true);
  });
});

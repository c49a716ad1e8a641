import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_TENANT_UID } from '@berth/contracts';
import { PanelProcess } from './panel-process.js';

interface Run {
  id: string;
  status: string;
  exitCode: number | null;
  output: string;
  durationMs: number | null;
  trigger: string;
}

/**
 * Cron jobs over the real panel and the tenants' real PHP containers (issue 14): a job writing the date into a
 * file runs on its schedule as the tenant; a long job is never overlapped (its next time is recorded as
 * skipped); a failing job's exit code and output are kept; a job of tenant A cannot write into tenant B's files.
 */
describe('cron jobs in the real runtime', () => {
  let panel: PanelProcess;
  const t: Record<'a' | 'b', { id: string; siteId: string }> = {} as never;

  const runsOf = async (jobId: string) =>
    (await panel.api<{ items: Run[] }>('GET', `/cron-jobs/${jobId}/runs`)).body.items;
  const createJob = async (tenant: 'a' | 'b', body: Record<string, unknown>) => {
    const res = await panel.api<{ id: string }>('POST', '/cron-jobs', { siteId: t[tenant].siteId, ...body });
    expect(res.status, res.text).toBe(201);
    return res.body.id;
  };

  beforeAll(async () => {
    panel = await PanelProcess.start({ BERTH_EDGE: 'off' });
    const plan = await panel.api<{ id: string }>('POST', '/plans', {
      name: 'Minutely',
      maxSites: 2,
      maxDomains: 2,
      cpuMillicores: 1000,
      memoryMb: 512,
      diskMb: 1000,
      bandwidthGb: 10,
      pidsLimit: 128,
      phpVersions: ['8.2'],
      phpMaxMemoryMb: 128,
      phpMaxUploadMb: 16,
      phpMaxExecSeconds: 30,
      cronMinIntervalMinutes: 1,
    });
    expect(plan.status, plan.text).toBe(201);
    for (const key of ['a', 'b'] as const) {
      const slug = `cron${key}`;
      const tenant = await panel.api<{ id: string }>('POST', '/tenants', {
        slug,
        name: slug,
        planId: plan.body.id,
        owner: { email: `owner@${slug}.test`, password: `${slug}-password-123` },
      });
      expect(tenant.status, tenant.text).toBe(201);
      const site = await panel.api<{ id: string }>('POST', '/sites', {
        tenantId: tenant.body.id,
        name: 'www',
        runtime: { kind: 'php', version: '8.2' },
      });
      expect(site.status, site.text).toBe(201);
      t[key] = { id: tenant.body.id, siteId: site.body.id };
    }
    for (const key of ['a', 'b'] as const)
      await panel.waitFor(
        `site of ${key} live`,
        async () => (await panel.api<{ status: string }>('GET', `/sites/${t[key].siteId}`)).body.status === 'live',
        120_000,
      );
  }, 240_000);

  afterAll(async () => {
    await panel?.stop();
  }, 120_000);

  it('runs a job on its schedule as the tenant, and does not overlap a long one', async () => {
    const stamp = await createJob('a', {
      name: 'Stamp',
      schedule: '* * * * *',
      command: 'date -u +%FT%TZ >> public/stamp.txt; id -u >> public/stamp.txt',
    });
    const long = await createJob('a', { name: 'Long', schedule: '* * * * *', command: 'sleep 100; echo finished' });
    // The first run is at the next minute; the long job's second time comes while it still runs.
    const runs = await panel.waitFor(
      'a skipped run of the long job',
      async () => {
        const r = await runsOf(long);
        return r.some((x) => x.status === 'skipped') ? r : undefined;
      },
      150_000,
    );
    // The skip is recorded a minute into the 100 s run, which therefore still goes: running it by hand is refused too.
    expect(runs.find((r) => r.status !== 'skipped')?.status).toBe('running');
    const byHand = await panel.api<{ error: { code: string } }>('POST', `/cron-jobs/${long}/run`, {});
    expect(byHand.status).toBe(409);
    expect(byHand.body.error.code).toBe('CRON_JOB_RUNNING');
    const file = await panel.api('GET', `/sites/${t.a.siteId}/files/stamp.txt`);
    expect(file.status, file.text).toBe(200);
    const lines = file.text.trim().split('\n');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // It ran as the tenant: the uid it printed owns the file it wrote (a tenant uid, never root).
    const owner = fs.statSync(
      path.join(panel.dataDir, 'tenants', t.a.id, 'sites', t.a.siteId, 'public', 'stamp.txt'),
    ).uid;
    expect(lines[1]).toBe(String(owner));
    expect(owner).toBeGreaterThanOrEqual(FIRST_TENANT_UID);
    const stampRuns = await runsOf(stamp);
    expect(stampRuns[0]).toMatchObject({ status: 'succeeded', exitCode: 0, trigger: 'schedule' });
    await panel.api('PATCH', `/cron-jobs/${stamp}`, { enabled: false });
    await panel.api('PATCH', `/cron-jobs/${long}`, { enabled: false });
  }, 240_000);

  it("records a failing job's exit code and output, and keeps jobs inside their own tenant's files", async () => {
    const failing = await createJob('a', {
      name: 'Failing',
      schedule: '@daily',
      command: 'echo to-stdout; echo to-stderr >&2; exit 3',
    });
    const run = await panel.api<Run>('POST', `/cron-jobs/${failing}/run`, {});
    expect(run.status, run.text).toBe(202);
    const done = await panel.waitFor('the failing run', async () => {
      const r = (await runsOf(failing))[0];
      return r && r.status !== 'running' ? r : undefined;
    });
    expect(done).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(done.output).toContain('to-stdout');
    expect(done.output).toContain('to-stderr');

    const intruder = await createJob('a', {
      name: 'Intruder',
      schedule: '@daily',
      command: `echo owned > /srv/sites/${t.b.siteId}/public/owned.txt`,
    });
    await panel.api('POST', `/cron-jobs/${intruder}/run`, {});
    const attempt = await panel.waitFor('the intruder run', async () => {
      const r = (await runsOf(intruder))[0];
      return r && r.status !== 'running' ? r : undefined;
    });
    expect(attempt.status).toBe('failed');
    expect((await panel.api('GET', `/sites/${t.b.siteId}/files/owned.txt`)).status).toBe(404);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { CRON_RUNS_KEPT } from '@berth/contracts';
import { CronScheduler, type SiteCommand, type SiteCommandOutcome } from '../src/control/cron.scheduler.js';
import {
  ADMIN,
  call,
  login,
  makeTenant,
  startPanel,
  type Caller,
  type TenantFixture,
  type TestPanel,
} from './helpers.js';

// Cron jobs through the API (validation against the plan, tenant scoping) and the scheduler's rules over a
// fake runner (the real runtime container is crossed in runtime's site-command.int and cron.int tests):
// a due job runs once after downtime, runs never overlap, failures and timeouts are recorded, runs are pruned.

describe('cron jobs', () => {
  let panel: TestPanel;
  let admin: Caller;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    panel = await startPanel();
    admin = await login(panel.app, ADMIN.email, ADMIN.password);
    a = await makeTenant(panel.app, admin, 'crona');
    b = await makeTenant(panel.app, admin, 'cronb');
  });
  afterAll(async () => panel.close());

  const create = (caller: Caller, body: Record<string, unknown>) =>
    call(panel.app, caller, 'POST', '/api/v1/cron-jobs', body);

  it('creates a job with its next run and a readable schedule, and records an event', async () => {
    const res = await create(a.owner, {
      siteId: a.siteId,
      name: 'Stamp',
      schedule: '*/15 * * * *',
      command: 'date >> stamp.txt',
    });
    expect(res.statusCode, res.body).toBe(201);
    const job = res.json() as { id: string; nextRunAt: string; description: string; timeoutSeconds: number };
    expect(new Date(job.nextRunAt).getUTCMinutes() % 15).toBe(0);
    expect(new Date(job.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    expect(job.description).toMatch(/15 minutes/);
    expect(job.timeoutSeconds).toBe(300);
    expect(await panel.db.event.count({ where: { action: 'cron.created', targetId: job.id } })).toBe(1);
  });

  it('refuses a schedule more frequent than the plan allows, naming the field and the bound', async () => {
    for (const schedule of ['* * * * *', '0,1 * * * *', '*/2 * * * *']) {
      const res = await create(a.owner, { siteId: a.siteId, name: `Fast ${schedule}`, schedule, command: 'true' });
      expect(res.statusCode, schedule).toBe(422);
      const body = res.json() as {
        error: { code: string; message: string; details: { issues: { path: string[] }[] } };
      };
      expect(body.error.code).toBe('SETTING_OUT_OF_BOUNDS');
      expect(body.error.message).toMatch(/every 5 minute/);
      expect(body.error.details.issues[0]!.path).toEqual(['schedule']);
    }
    const bad = await create(a.owner, { siteId: a.siteId, name: 'Bad', schedule: '0 24 * * *', command: 'true' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/hour/i);
    expect(await panel.db.cronJob.count({ where: { name: { startsWith: 'Fast' } } })).toBe(0);
  });

  it('refuses a multi-line command and a static site with a message saying what to do', async () => {
    const lines = await create(a.owner, { siteId: a.siteId, name: 'Lines', schedule: '@daily', command: 'a\nb' });
    expect(lines.statusCode).toBe(400);
    const staticSite = await call(panel.app, a.owner, 'POST', '/api/v1/sites', {
      name: 'plain',
      runtime: { kind: 'static' },
    });
    expect(staticSite.statusCode, staticSite.body).toBe(201);
    const res = await create(a.owner, {
      siteId: (staticSite.json() as { id: string }).id,
      name: 'Static',
      schedule: '@daily',
      command: 'true',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/static site has no runtime/);
  });

  it("keeps tenants apart: another tenant's site and jobs are not found", async () => {
    const job = (
      await create(a.owner, { siteId: a.siteId, name: 'Mine', schedule: '@hourly', command: 'true' })
    ).json() as {
      id: string;
    };
    expect(
      (await create(b.owner, { siteId: a.siteId, name: 'Theirs', schedule: '@hourly', command: 'true' })).statusCode,
    ).toBe(404);
    expect((await call(panel.app, b.owner, 'GET', `/api/v1/cron-jobs/${job.id}`)).statusCode).toBe(404);
    expect((await call(panel.app, b.owner, 'DELETE', `/api/v1/cron-jobs/${job.id}`)).statusCode).toBe(404);
    const list = (await call(panel.app, b.owner, 'GET', '/api/v1/cron-jobs')).json() as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  it('the scheduler runs a job that came due during downtime once, never overlaps runs, and records failures', async () => {
    const job = (
      await create(a.owner, { siteId: a.siteId, name: 'Sched', schedule: '*/5 * * * *', command: 'php -r "echo 1;"' })
    ).json() as { id: string };
    // The panel was down for three hours: the job's next time is long past.
    await panel.db.cronJob.update({ where: { id: job.id }, data: { nextRunAt: new Date(Date.now() - 3 * 3600_000) } });
    await panel.db.cronJob.updateMany({ where: { id: { not: job.id } }, data: { enabled: false } });
    let release: (() => void) | undefined;
    const commands: SiteCommand[] = [];
    let clock = new Date();
    const scheduler = new CronScheduler({
      db: panel.db,
      sitesMount: '/srv/sites',
      logger: pino({ level: 'silent' }),
      now: () => clock,
      run: (command) => {
        commands.push(command);
        return new Promise<SiteCommandOutcome>((resolve) => {
          release = () =>
            resolve({ exitCode: 3, output: 'out\nerr\n', truncated: false, timedOut: false, durationMs: 12 });
        });
      },
    });
    await scheduler.runDue();
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({
      tenantId: a.id,
      component: 'php-8.2',
      cwd: `/srv/sites/${a.siteId}`,
      command: 'php -r "echo 1;"',
      timeoutMs: 300_000,
    });
    const next = (await panel.db.cronJob.findUniqueOrThrow({ where: { id: job.id } })).nextRunAt!;
    expect(next.getTime()).toBeGreaterThan(clock.getTime());
    // Its next time comes while the first run still goes: skipped, not started twice.
    clock = new Date(next.getTime() + 1000);
    await scheduler.runDue();
    expect(commands).toHaveLength(1);
    expect((await call(panel.app, a.owner, 'GET', `/api/v1/cron-jobs/${job.id}/runs`)).json()).toMatchObject({
      items: [{ status: 'skipped', trigger: 'schedule' }, { status: 'running' }],
    });
    release!();
    await scheduler.stop();
    const runs = (await call(panel.app, a.owner, 'GET', `/api/v1/cron-jobs/${job.id}/runs`)).json() as {
      items: { status: string; exitCode: number | null; output: string }[];
    };
    expect(runs.items.find((r) => r.status === 'failed')).toMatchObject({ exitCode: 3, output: 'out\nerr\n' });
  });

  it('keeps the last runs of a job only, and marks runs cut short by a stop as failed at the next start', async () => {
    const job = (
      await create(a.owner, { siteId: a.siteId, name: 'Many', schedule: '@hourly', command: 'true', enabled: false })
    ).json() as { id: string };
    let clock = new Date();
    const scheduler = new CronScheduler({
      db: panel.db,
      sitesMount: '/srv/sites',
      logger: pino({ level: 'silent' }),
      now: () => clock,
      run: async () => ({ exitCode: 0, output: '', truncated: false, timedOut: false, durationMs: 1 }),
    });
    for (let i = 0; i < CRON_RUNS_KEPT + 5; i++) {
      clock = new Date(clock.getTime() + 60_000);
      await scheduler.runNow(job.id, 'user:x');
      await scheduler.stop();
    }
    expect(await panel.db.cronRun.count({ where: { jobId: job.id } })).toBe(CRON_RUNS_KEPT);
    await panel.db.cronRun.create({
      data: { id: 'interruptedrun01', jobId: job.id, tenantId: a.id, trigger: 'schedule', status: 'running' },
    });
    const next = new CronScheduler({
      db: panel.db,
      sitesMount: '/srv/sites',
      logger: pino({ level: 'silent' }),
      run: async () => ({ exitCode: 0, output: '', truncated: false, timedOut: false, durationMs: 1 }),
    });
    await next.start();
    await next.stop();
    expect(await panel.db.cronRun.findUniqueOrThrow({ where: { id: 'interruptedrun01' } })).toMatchObject({
      status: 'failed',
    });
  });

  it('runs a job now and refuses a second run while one goes', async () => {
    const job = (
      await create(a.owner, { siteId: a.siteId, name: 'Now', schedule: '@daily', command: 'sleep 1' })
    ).json() as {
      id: string;
    };
    let release: (() => void) | undefined;
    const scheduler = new CronScheduler({
      db: panel.db,
      sitesMount: '/srv/sites',
      logger: pino({ level: 'silent' }),
      run: () =>
        new Promise((resolve) => {
          release = () => resolve({ exitCode: 0, output: 'ok', truncated: false, timedOut: false, durationMs: 5 });
        }),
    });
    panel.ports.cron.bind(scheduler);
    const first = await call(panel.app, a.owner, 'POST', `/api/v1/cron-jobs/${job.id}/run`, {});
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toMatchObject({ status: 'running', trigger: 'manual' });
    const second = await call(panel.app, a.owner, 'POST', `/api/v1/cron-jobs/${job.id}/run`, {});
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: 'CRON_JOB_RUNNING' } });
    release!();
    await scheduler.stop();
  });
});

// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TCronJob, TCronRun } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { CronPanel } from './CronPage';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const TENANT = { id: 'ten0000001', slug: 'shop', name: 'Shop', planId: 'plan000001', status: 'active' };
const PLAN = { id: 'plan000001', name: 'Small', maxCronJobs: 10, cronMinIntervalMinutes: 5 };
const site = (id: string, name: string, kind: 'php' | 'static') => ({
  id,
  tenantId: TENANT.id,
  name,
  runtime: { kind, version: kind === 'php' ? '8.4' : '1' },
  status: 'live',
  statusMessage: null,
  domains: [],
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
});
const WWW = site('site000001', 'www', 'php');
const DOCS = site('site000002', 'docs', 'static');
const LAST: TCronRun = {
  id: 'run0000001',
  trigger: 'schedule',
  status: 'failed',
  exitCode: 2,
  output: 'Starting clean-up\nerror: disk full\n',
  truncated: true,
  message: null,
  startedAt: '2026-12-01T03:00:00.000Z',
  finishedAt: '2026-12-01T03:00:03.500Z',
  durationMs: 3500,
};
const JOB: TCronJob = {
  id: 'cron000001',
  tenantId: TENANT.id,
  siteId: WWW.id,
  name: 'Nightly clean-up',
  schedule: '*/15 * * * *',
  description: 'every 15 minutes',
  command: 'php artisan queue:prune-batches --hours=48 --unfinished=72 --cancelled=72',
  timeoutSeconds: 300,
  enabled: true,
  nextRunAt: '2026-12-01T03:15:00.000Z',
  lastRun: LAST,
  createdAt: '2026-11-01T00:00:00.000Z',
};

function ownerApi(extra: Parameters<typeof stubApi>[0] = {}) {
  return stubApi({
    'GET /cron-jobs': { status: 200, body: { items: [JOB] } },
    'GET /sites': { status: 200, body: { items: [WWW, DOCS], total: 2 } },
    [`GET /tenants/${TENANT.id}`]: { status: 200, body: TENANT },
    'GET /plans/plan000001': { status: 200, body: PLAN },
    ...extra,
  });
}

function renderOwner() {
  renderWithProviders(<CronPanel operator={false} tenantId={TENANT.id} />);
}

async function jobRow() {
  const table = await screen.findByRole('table', { name: 'Cron jobs' });
  return table.querySelector<HTMLElement>(`[data-job-name="${JOB.name}"]`)!;
}

describe('CronPanel', () => {
  it('lists jobs with their site, schedule in words, command, next and last run, and turns one off', async () => {
    const requests = ownerApi({ [`PATCH /cron-jobs/${JOB.id}`]: { status: 200, body: { ...JOB, enabled: false } } });
    renderOwner();
    const row = await jobRow();
    await waitFor(() => expect(within(row).getByText('www')).toBeTruthy());
    expect(within(row).getByText('*/15 * * * *')).toBeTruthy();
    expect(within(row).getByText('every 15 minutes')).toBeTruthy();
    expect(within(row).getByText(JOB.command).getAttribute('title')).toBe(JOB.command);
    expect(within(row).getByText(/3:15.* UTC$/)).toBeTruthy();
    expect(within(row).getByText('Failed')).toBeTruthy();
    expect(within(row).getByText(/exit 2 · 3\.5 s$/)).toBeTruthy();
    expect(screen.getByText(/Schedules and times are in UTC/)).toBeTruthy();

    await userEvent.click(within(row).getByRole('switch', { name: `Run ${JOB.name} on its schedule` }));
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'PATCH')).toMatchObject({
        path: `/cron-jobs/${JOB.id}`,
        body: { enabled: false },
      }),
    );
  });

  it('reads the schedule while it is typed, and shows the plan’s refusal at the schedule field', async () => {
    const refusal = 'Your plan runs a job at most every 5 minute(s); this schedule runs every 1. Try "*/5 * * * *".';
    const requests = ownerApi({
      'POST /cron-jobs': apiError(422, 'SETTING_OUT_OF_BOUNDS', refusal, [{ path: ['schedule'], message: refusal }]),
    });
    renderOwner();
    await jobRow();
    await userEvent.click(screen.getByRole('button', { name: 'Create cron job' }));
    const form = await screen.findByRole('form', { name: 'Create cron job' });
    // Only sites with a runtime are offered; the one PHP site is picked already.
    await userEvent.click(within(form).getByRole('combobox', { name: 'Site' }));
    expect(screen.queryByRole('option', { name: 'docs' })).toBeNull();

    await userEvent.type(within(form).getByLabelText(/^Name/), 'Every minute');
    const schedule = within(form).getByLabelText(/^Schedule \(UTC\)/);
    await userEvent.type(schedule, '*/15 * * *');
    expect(within(form).getByTestId('schedule-preview').textContent).toMatch(/A schedule has 5 fields/);
    await userEvent.type(schedule, ' *');
    expect(within(form).getByTestId('schedule-preview').textContent).toMatch(
      /^Runs every 15 minutes \(UTC\)\. Next runs:.*UTC.*UTC.*UTC$/,
    );
    await userEvent.clear(schedule);
    await userEvent.type(schedule, '* * * * *');
    expect(within(form).getByTestId('schedule-preview').textContent).toContain(
      'The plan runs a job at most every 5 minutes; this schedule runs every 1.',
    );
    await userEvent.type(within(form).getByLabelText(/^Command/), 'php cron.php');
    await userEvent.click(within(form).getByRole('button', { name: 'Create cron job' }));

    await waitFor(() => expect(schedule.getAttribute('aria-invalid')).toBe('true'));
    expect(within(form).getByText(refusal)).toBeTruthy();
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
      siteId: WWW.id,
      name: 'Every minute',
      schedule: '* * * * *',
      command: 'php cron.php',
      timeoutSeconds: 300,
    });
  });

  it('shows a job’s runs with their output, and says when the output was cut', async () => {
    ownerApi({
      [`GET /cron-jobs/${JOB.id}/runs`]: {
        status: 200,
        body: {
          items: [LAST, { ...LAST, id: 'run0000002', status: 'succeeded', exitCode: 0, truncated: false, output: '' }],
        },
      },
    });
    renderOwner();
    const row = await jobRow();
    await userEvent.click(within(row).getByRole('button', { name: `Runs of ${JOB.name}` }));
    const dialog = await screen.findByRole('dialog', { name: `Runs of ${JOB.name}` });
    const failed = (await within(dialog).findByText('Failed')).closest<HTMLElement>('[data-run-id]')!;
    const output = failed.querySelector('pre')!;
    expect(output.textContent).toBe(LAST.output);
    expect(within(failed).getByText('(output truncated: last 64 KB)')).toBeTruthy();
    expect(within(failed).getByText(/took 3\.5 s · exit code 2$/)).toBeTruthy();
    const ok = dialog.querySelector<HTMLElement>('[data-run-id="run0000002"]')!;
    expect(within(ok).queryByText(/output truncated/)).toBeNull();
    expect(within(ok).getByText('No output.')).toBeTruthy();
  });

  it('says plainly when a run of the job is still going', async () => {
    ownerApi({
      [`POST /cron-jobs/${JOB.id}/run`]: apiError(
        409,
        'CRON_JOB_RUNNING',
        'A run of this job is still going; wait for it to finish.',
      ),
    });
    renderOwner();
    const row = await jobRow();
    await userEvent.click(within(row).getByRole('button', { name: `Run now: ${JOB.name}` }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('A run of this job is still going; wait for it to finish.');
  });

  it('asks before deleting a job', async () => {
    const requests = ownerApi({ [`DELETE /cron-jobs/${JOB.id}`]: { status: 200, body: { ok: true } } });
    renderOwner();
    const row = await jobRow();
    await userEvent.click(within(row).getByRole('button', { name: `Delete ${JOB.name}` }));
    const dialog = await screen.findByRole('dialog', { name: `Delete the cron job ${JOB.name}?` });
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete cron job' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'DELETE')).toBe(true));
  });

  it('edits a job, sending only what changed', async () => {
    const requests = ownerApi({
      [`PATCH /cron-jobs/${JOB.id}`]: { status: 200, body: { ...JOB, schedule: '30 3 * * *' } },
    });
    renderOwner();
    const row = await jobRow();
    await userEvent.click(within(row).getByRole('button', { name: `Edit ${JOB.name}` }));
    const form = await screen.findByRole('form', { name: `Edit cron job ${JOB.name}` });
    const schedule = within(form).getByLabelText(/^Schedule \(UTC\)/);
    await userEvent.clear(schedule);
    await userEvent.type(schedule, '30 3 * * *');
    expect(within(form).getByTestId('schedule-preview').textContent).toMatch(/^Runs daily at 03:30 UTC/);
    await userEvent.click(within(form).getByRole('button', { name: 'Save cron job' }));
    await waitFor(() => expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual({ schedule: '30 3 * * *' }));
  });
});

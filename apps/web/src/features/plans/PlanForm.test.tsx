// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TPlan } from '@berth/contracts';
import { renderWithProviders, stubApi } from '../../test/render';
import { PlanForm } from './PlanForm';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const PLAN: TPlan = {
  id: 'plan000001',
  name: 'Small',
  maxSites: 5,
  maxDomains: 20,
  maxDatabases: 5,
  dbMaxConnections: 15,
  cpuMillicores: 1000,
  memoryMb: 1024,
  diskMb: 10240,
  bandwidthGb: 100,
  pidsLimit: 256,
  phpVersions: ['8.2', '8.4'],
  phpMaxMemoryMb: 256,
  phpMaxUploadMb: 64,
  phpMaxExecSeconds: 60,
  egressAllow: [],
  backupSchedule: 'daily',
  backupKeepDaily: 7,
  backupKeepWeekly: 4,
  maxCronJobs: 10,
  cronMinIntervalMinutes: 5,
  tenantCount: 2,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('PlanForm', () => {
  it('shows limit messages from the shared plan schema', async () => {
    const requests = stubApi({});
    renderWithProviders(<PlanForm onDone={vi.fn()} onCancel={vi.fn()} />);
    await userEvent.type(screen.getByLabelText(/^Plan name/), 'Tiny');
    const cpu = screen.getByLabelText(/^CPU \(millicores\)/);
    await userEvent.clear(cpu);
    await userEvent.type(cpu, '50');
    for (const v of ['PHP 7.4', 'PHP 8.2', 'PHP 8.4']) await userEvent.click(screen.getByLabelText(v));
    await userEvent.click(screen.getByRole('button', { name: 'Create plan' }));
    expect(await screen.findByText('At least 100 millicores (0.1 CPU).')).toBeTruthy();
    expect(screen.getByText('Allow at least one PHP version.')).toBeTruthy();
    expect(requests).toHaveLength(0);
  });

  it('sends only the changed limits when editing', async () => {
    const requests = stubApi({ 'PATCH /plans/plan000001': { status: 200, body: { ...PLAN, maxSites: 8 } } });
    const onDone = vi.fn();
    renderWithProviders(<PlanForm plan={PLAN} onDone={onDone} onCancel={vi.fn()} />);
    const sites = screen.getByLabelText(/^Sites/);
    await userEvent.clear(sites);
    await userEvent.type(sites, '8');
    await userEvent.click(screen.getByRole('button', { name: 'Save plan' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(requests[0]).toMatchObject({ method: 'PATCH', body: { maxSites: 8 } });
  });

  it('offers scheduled backups daily, weekly or off, and sends the choice when it changes', async () => {
    const requests = stubApi({
      'PATCH /plans/plan000001': { status: 200, body: { ...PLAN, backupSchedule: 'weekly' } },
    });
    const onDone = vi.fn();
    renderWithProviders(<PlanForm plan={PLAN} onDone={onDone} onCancel={vi.fn()} />);
    const schedule = screen.getByRole('combobox', { name: /^Scheduled backups/ }) as HTMLInputElement;
    expect(schedule.value).toBe('Daily');
    await userEvent.click(schedule);
    expect(screen.getByRole('option', { name: 'Off (manual backups only)' })).toBeTruthy();
    await userEvent.click(screen.getByRole('option', { name: 'Weekly' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save plan' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(requests[0]).toMatchObject({ method: 'PATCH', body: { backupSchedule: 'weekly' } });
    expect(Object.keys(requests[0]!.body as object)).toEqual(['backupSchedule']);
  });

  it('creates a plan with daily backups unless told otherwise', async () => {
    const requests = stubApi({ 'POST /plans': { status: 201, body: PLAN } });
    const onDone = vi.fn();
    renderWithProviders(<PlanForm onDone={onDone} onCancel={vi.fn()} />);
    await userEvent.type(screen.getByLabelText(/^Plan name/), 'Tiny');
    await userEvent.click(screen.getByRole('button', { name: 'Create plan' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(requests[0]).toMatchObject({ method: 'POST', body: { name: 'Tiny', backupSchedule: 'daily' } });
  });
});

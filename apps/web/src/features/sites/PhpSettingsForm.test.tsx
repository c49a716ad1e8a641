// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TSite } from '@berth/contracts';
import { renderWithProviders, stubApi } from '../../test/render';
import { PhpSettingsForm } from './PhpSettingsForm';

const SITE: TSite = {
  id: 'site000001',
  tenantId: 'tenant0001',
  name: 'blog',
  runtime: { kind: 'php', version: '8.2' },
  settings: {},
  status: 'live',
  statusMessage: null,
  domains: ['blog.example.test'],
  url: 'https://blog.example.test',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('PhpSettingsForm', () => {
  it('refuses a memory_limit over the plan on its field, keeps what was typed and sends nothing', async () => {
    const requests = stubApi({
      'GET /tenants/tenant0001': { status: 200, body: { id: 'tenant0001', planId: 'plan000001' } },
      'GET /plans/plan000001': {
        status: 200,
        body: { id: 'plan000001', phpMaxMemoryMb: 256, phpMaxUploadMb: 64, phpMaxExecSeconds: 60 },
      },
      'PATCH /sites/site000001': { status: 200, body: SITE },
    });
    renderWithProviders(<PhpSettingsForm site={SITE} />);
    await screen.findByText('At most 256 MB on this plan.');
    const field = screen.getByLabelText('memory_limit (MB)');
    await userEvent.type(field, '9999');
    await userEvent.tab();
    expect((field as HTMLInputElement).value).toBe('9999');
    await userEvent.click(screen.getByRole('button', { name: 'Save PHP settings' }));
    expect(await screen.findByText('At most 256 MB on this plan; a larger plan allows more.')).toBeTruthy();
    expect(requests.some((r) => r.method === 'PATCH')).toBe(false);

    await userEvent.clear(field);
    await userEvent.type(field, '256');
    await userEvent.click(screen.getByRole('button', { name: 'Save PHP settings' }));
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual({
        settings: { php: { memoryLimitMb: 256, displayErrors: false } },
      }),
    );
  });
});

// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RUNTIME_CATALOG } from '@berth/contracts';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { CreateSiteForm } from './CreateSiteForm';

const RUNTIMES = {
  status: 200,
  body: {
    kinds: Object.entries(RUNTIME_CATALOG).map(([kind, v]) => ({
      kind,
      label: v.label,
      versions: [...v.versions],
      defaultVersion: v.defaultVersion,
    })),
    webservers: ['nginx', 'apache'],
  },
};
const PLANS = {
  status: 200,
  body: { items: [{ id: 'plan000001', name: 'Small', phpVersions: ['8.2', '8.4'] }], total: 1 },
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('CreateSiteForm', () => {
  it('refuses a site name the shared schema does not allow', async () => {
    const requests = stubApi({ 'GET /runtimes': RUNTIMES, 'GET /plans': PLANS });
    renderWithProviders(<CreateSiteForm chooseTenant={false} onCreated={vi.fn()} />);
    await userEvent.type(await screen.findByLabelText(/^Site name/), 'My Blog');
    await userEvent.click(screen.getByRole('button', { name: 'Create site' }));
    expect(
      await screen.findByText('Use lowercase letters, digits and hyphens; start and end with a letter or digit.'),
    ).toBeTruthy();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('sends the picked version and shows VERSION_NOT_ALLOWED at the version field', async () => {
    const requests = stubApi({
      'GET /runtimes': RUNTIMES,
      'GET /plans': PLANS,
      'POST /sites': apiError(422, 'VERSION_NOT_ALLOWED', 'The plan allows PHP 8.2, 8.4.', [
        { path: ['runtime', 'version'], message: 'Pick one of 8.2, 8.4.' },
      ]),
    });
    renderWithProviders(<CreateSiteForm chooseTenant={false} onCreated={vi.fn()} />);
    await userEvent.type(await screen.findByLabelText(/^Site name/), 'blog');
    await userEvent.click(screen.getByRole('combobox', { name: 'Version' }));
    await userEvent.click(await screen.findByRole('option', { name: '8.2' }));
    await userEvent.click(screen.getByRole('button', { name: 'Create site' }));
    expect(await screen.findByText('Pick one of 8.2, 8.4.')).toBeTruthy();
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
        name: 'blog',
        runtime: { kind: 'php', version: '8.2' },
      }),
    );
  });

  it('offers PHP versions outside the plan only as disabled choices', async () => {
    stubApi({ 'GET /runtimes': RUNTIMES, 'GET /plans': PLANS });
    renderWithProviders(<CreateSiteForm chooseTenant={false} onCreated={vi.fn()} />);
    await screen.findByLabelText(/^Site name/);
    await userEvent.click(screen.getByRole('combobox', { name: 'Version' }));
    const old = await screen.findByRole('option', { name: '7.4 (not in the plan)' });
    expect(old.getAttribute('aria-disabled') ?? old.getAttribute('data-combobox-disabled')).toBeTruthy();
  });
});

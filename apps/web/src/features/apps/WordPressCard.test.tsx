// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TAppInstall, TSite } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { WordPressCard } from './WordPressCard';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const SITE: TSite = {
  id: 'site000001',
  tenantId: 'ten0000001',
  name: 'blog',
  runtime: { kind: 'php', version: '8.4' },
  settings: {},
  status: 'live',
  statusMessage: null,
  domains: ['blog.example.com'],
  url: 'https://blog.example.com',
  createdAt: '2026-11-30T00:00:00.000Z',
  updatedAt: '2026-11-30T00:00:00.000Z',
};
const INSTALLING: TAppInstall = {
  siteId: SITE.id,
  app: 'wordpress',
  status: 'installing',
  message: 'Copying WordPress and running its installer',
  version: null,
  databaseId: 'db00000001',
  adminUser: 'editor',
  adminUrl: null,
  createdAt: '2026-12-01T00:00:00.000Z',
  finishedAt: null,
};
const INSTALLED: TAppInstall = {
  ...INSTALLING,
  status: 'installed',
  message: null,
  version: '6.8.1',
  adminUrl: 'https://blog.example.com/wp-admin/',
  finishedAt: '2026-12-01T00:00:05.000Z',
};
const PATH = '/sites/site000001/apps/wordpress';
const NOT_INSTALLED = apiError(404, 'NOT_FOUND', 'Application not found.');

async function fillForm() {
  await userEvent.click(await screen.findByRole('button', { name: 'Install WordPress' }));
  const form = screen.getByRole('form', { name: 'Install WordPress' });
  await userEvent.clear(within(form).getByLabelText(/^Site title/));
  await userEvent.type(within(form).getByLabelText(/^Site title/), 'My Blog');
  await userEvent.type(within(form).getByLabelText(/^Administrator user name/), 'editor');
  await userEvent.type(within(form).getByLabelText(/^Administrator email/), 'editor@example.com');
  return form;
}

describe('WordPressCard', () => {
  it('installs: sends the form, shows the step while the request runs, then the admin link and the password once', async () => {
    let phase: 'none' | 'installing' | 'installed' = 'none';
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const requests = stubApi({
      [`GET ${PATH}`]: () =>
        phase === 'none' ? NOT_INSTALLED : { status: 200, body: phase === 'installing' ? INSTALLING : INSTALLED },
      [`POST ${PATH}`]: () => ({ status: 201, body: { ...INSTALLED, adminPassword: 'Gx8Kd2Qm7Vt4Np9Lr3Ws6Hb1' } }),
    });
    // The panel answers the install request only when WordPress is in place: hold it until the test says so.
    const answer = globalThis.fetch;
    vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
      if (init.method === 'POST') {
        phase = 'installing';
        const response = answer(input, init);
        await done;
        phase = 'installed';
        return response;
      }
      return answer(input, init);
    });

    renderWithProviders(<WordPressCard site={SITE} />);
    const form = await fillForm();
    await userEvent.click(within(form).getByRole('button', { name: 'Install WordPress' }));

    const progress = await screen.findByRole('status');
    expect(within(progress).getByText('Installing…')).toBeTruthy();
    expect(
      await within(progress).findByText(/Copying WordPress and running its installer/, {}, { timeout: 3000 }),
    ).toBeTruthy();
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
      title: 'My Blog',
      adminUser: 'editor',
      adminEmail: 'editor@example.com',
    });

    finish();
    const link = await screen.findByRole('link', { name: 'Open WordPress admin' });
    expect(link.getAttribute('href')).toBe('https://blog.example.com/wp-admin/');
    expect(screen.getByText('6.8.1')).toBeTruthy();
    expect(screen.getByLabelText('WordPress administrator password').textContent).toBe('Gx8Kd2Qm7Vt4Np9Lr3Ws6Hb1');
    expect(screen.queryByRole('status')).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByText('Gx8Kd2Qm7Vt4Np9Lr3Ws6Hb1')).toBeNull();
    expect(screen.getByRole('link', { name: 'Open WordPress admin' })).toBeTruthy();
  });

  it('says in plain words that a site with files cannot take WordPress', async () => {
    stubApi({
      [`GET ${PATH}`]: NOT_INSTALLED,
      [`POST ${PATH}`]: apiError(
        409,
        'SITE_NOT_EMPTY',
        'The site already has files; WordPress is installed only into an empty site.',
      ),
    });
    renderWithProviders(<WordPressCard site={SITE} />);
    const form = await fillForm();
    await userEvent.click(within(form).getByRole('button', { name: 'Install WordPress' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^This site already has files/);
  });

  it('refuses "admin" as the administrator before asking the panel', async () => {
    const requests = stubApi({ [`GET ${PATH}`]: NOT_INSTALLED });
    renderWithProviders(<WordPressCard site={SITE} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Install WordPress' }));
    await userEvent.type(screen.getByLabelText(/^Administrator user name/), 'admin');
    await userEvent.type(screen.getByLabelText(/^Administrator email/), 'editor@example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Install WordPress' }));
    expect(
      await screen.findByText('Choose a name other than "admin": it is the first one attackers try.'),
    ).toBeTruthy();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('shows an existing installation: version, administrator and admin address, and no password', async () => {
    stubApi({ [`GET ${PATH}`]: { status: 200, body: INSTALLED } });
    renderWithProviders(<WordPressCard site={SITE} />);
    expect(await screen.findByText('6.8.1')).toBeTruthy();
    expect(screen.getByText('editor')).toBeTruthy();
    expect(screen.getByText('https://blog.example.com/wp-admin/')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open WordPress admin' }).getAttribute('href')).toBe(
      'https://blog.example.com/wp-admin/',
    );
    expect(screen.queryByTestId('wordpress-password')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Install WordPress' })).toBeNull();
  });

  it('waits for a site without a domain before offering the installation', async () => {
    stubApi({ [`GET ${PATH}`]: NOT_INSTALLED });
    renderWithProviders(<WordPressCard site={{ ...SITE, domains: [] }} />);
    const button = (await screen.findByRole('button', { name: 'Install WordPress' })) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(screen.getByText(/Add a domain to the site first/)).toBeTruthy();
  });
});

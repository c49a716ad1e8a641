// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders, stubApi } from '../../test/render';
import { Shell } from './Shell';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const USER = {
  id: 'u1aaaaaaaaaa',
  email: 'admin@example.com',
  role: 'admin',
  tenantId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('Shell', () => {
  it('shows only the enrolment screen while the panel requires the administrator to set up two-factor sign-in', async () => {
    stubApi({
      'GET /me': {
        status: 200,
        body: { user: USER, csrfToken: 'csrf', twoFactor: { enabled: false, enrolmentRequired: true } },
      },
    });
    renderWithProviders(<Shell />, { route: '/tenants' });
    expect(await screen.findByRole('heading', { name: 'Set up two-factor sign-in' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Set up two-factor sign-in' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
  });

  it('opens the console once enrolled', async () => {
    stubApi({
      'GET /me': {
        status: 200,
        body: { user: USER, csrfToken: 'csrf', twoFactor: { enabled: true, enrolmentRequired: false } },
      },
    });
    renderWithProviders(<Shell />, { route: '/' });
    expect(await screen.findByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Set up two-factor sign-in' })).toBeNull();
  });
});

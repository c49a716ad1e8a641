// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { LoginPage } from './LoginPage';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('LoginPage', () => {
  it('shows the shared schema messages at each field and sends nothing', async () => {
    const requests = stubApi({ 'GET /me': apiError(401, 'UNAUTHENTICATED', 'Sign in.') });
    renderWithProviders(<LoginPage />, { route: '/login' });
    await userEvent.type(screen.getByLabelText('Email'), 'not-an-email');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter a valid email address.')).toBeTruthy();
    expect(screen.getByText('Enter your password.')).toBeTruthy();
    expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true');
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('shows a wrong password as an alert above the form', async () => {
    const requests = stubApi({
      'GET /me': apiError(401, 'UNAUTHENTICATED', 'Sign in.'),
      'POST /auth/login': apiError(401, 'INVALID_CREDENTIALS', 'The email or password is wrong.'),
    });
    renderWithProviders(<LoginPage />, { route: '/login' });
    await userEvent.type(screen.getByLabelText('Email'), ' Admin@Example.com ');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong-password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The email or password is wrong.');
    // The shared schema normalizes the email before it is sent.
    await waitFor(() => expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ email: 'admin@example.com', password: 'wrong-password' }));
  });
});

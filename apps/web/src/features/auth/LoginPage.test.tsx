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
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
        email: 'admin@example.com',
        password: 'wrong-password',
      }),
    );
  });

  it('asks for the code when the account has two-factor sign-in, and signs in with it', async () => {
    const session = {
      user: {
        id: 'u1aaaaaaaaaa',
        email: 'admin@example.com',
        role: 'admin',
        tenantId: null,
        createdAt: '2026-01-01T00:00:00.000Z',
      },
      csrfToken: 'csrf',
      twoFactor: { enabled: true, enrolmentRequired: false },
    };
    const requests = stubApi({
      'GET /me': apiError(401, 'UNAUTHENTICATED', 'Sign in.'),
      'POST /auth/login': {
        status: 200,
        body: { twoFactor: 'required', challenge: 'c'.repeat(43), expiresAt: '2026-01-01T00:05:00.000Z' },
      },
      'POST /auth/login/totp': (body) =>
        (body as { code?: string }).code === '123456'
          ? { status: 200, body: session }
          : apiError(
              401,
              'TOTP_CODE_INVALID',
              'The code is wrong or was already used. Enter the code the app shows now.',
            ),
    });
    renderWithProviders(<LoginPage />, { route: '/login' });
    await userEvent.type(screen.getByLabelText('Email'), 'admin@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'the-right-password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    const code = await screen.findByLabelText('Code from your authenticator app');
    expect(screen.getByRole('heading', { name: 'Two-factor sign-in' })).toBeTruthy();
    // The shared schema refuses a short code before anything is sent.
    await userEvent.type(code, '123');
    await userEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('Enter the 6-digit code from your authenticator app.')).toBeTruthy();
    expect(requests.filter((r) => r.path === '/auth/login/totp')).toHaveLength(0);

    await userEvent.clear(code);
    await userEvent.type(code, '654 321');
    await userEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(
      await screen.findByText('The code is wrong or was already used. Enter the code the app shows now.'),
    ).toBeTruthy();
    expect(screen.getByLabelText('Code from your authenticator app').getAttribute('aria-invalid')).toBe('true');

    await userEvent.clear(code);
    await userEvent.type(code, '123 456');
    await userEvent.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() =>
      expect(requests.filter((r) => r.path === '/auth/login/totp').at(-1)?.body).toEqual({
        challenge: 'c'.repeat(43),
        code: '123456',
      }),
    );
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Verify' })).toBeNull());
  });

  it('takes a recovery code instead, and returns to the password when the challenge expired', async () => {
    const requests = stubApi({
      'GET /me': apiError(401, 'UNAUTHENTICATED', 'Sign in.'),
      'POST /auth/login': {
        status: 200,
        body: { twoFactor: 'required', challenge: 'c'.repeat(43), expiresAt: '2026-01-01T00:05:00.000Z' },
      },
      'POST /auth/login/totp': apiError(
        401,
        'TOTP_CHALLENGE_INVALID',
        'This sign-in attempt expired or was already used. Sign in with your password again.',
      ),
    });
    renderWithProviders(<LoginPage />, { route: '/login' });
    await userEvent.type(screen.getByLabelText('Email'), 'admin@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'the-right-password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Use a recovery code instead' }));
    await userEvent.type(screen.getByLabelText('Recovery code'), 'K7M2-QX9F-DZ4A-8WPE');
    await userEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Sign in with your password again.');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(requests.find((r) => r.path === '/auth/login/totp')?.body).toEqual({
      challenge: 'c'.repeat(43),
      recoveryCode: 'k7m2qx9fdz4a8wpe',
    });
  });
});

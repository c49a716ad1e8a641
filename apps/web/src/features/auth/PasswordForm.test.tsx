// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { PasswordForm } from './PasswordForm';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('PasswordForm', () => {
  it('refuses a short new password and two different new passwords', async () => {
    const requests = stubApi({});
    renderWithProviders(<PasswordForm />);
    await userEvent.type(screen.getByLabelText('Current password'), 'old-password-1234');
    await userEvent.type(screen.getByLabelText('New password'), 'short');
    await userEvent.type(screen.getByLabelText('Repeat new password'), 'shorter');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('A password is at least 12 characters.')).toBeTruthy();
    expect(screen.getByText('The two new passwords differ.')).toBeTruthy();
    expect(requests).toHaveLength(0);
  });

  it('shows a wrong current password at that field', async () => {
    stubApi({
      'POST /me/password': apiError(400, 'VALIDATION_FAILED', 'The current password is wrong.', [
        { path: ['currentPassword'], message: 'The current password is wrong.' },
      ]),
    });
    renderWithProviders(<PasswordForm />);
    await userEvent.type(screen.getByLabelText('Current password'), 'not-the-password');
    await userEvent.type(screen.getByLabelText('New password'), 'a-new-password-123');
    await userEvent.type(screen.getByLabelText('Repeat new password'), 'a-new-password-123');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('The current password is wrong.')).toBeTruthy();
    expect(screen.getByLabelText('Current password').getAttribute('aria-invalid')).toBe('true');
  });
});

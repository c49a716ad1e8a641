// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { TwoFactorSection } from './TwoFactorSection';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const OFF = { enabled: false, enabledAt: null, recoveryCodesLeft: 0, enrolmentRequired: false };
const ON = { enabled: true, enabledAt: '2026-12-01T12:00:00.000Z', recoveryCodesLeft: 10, enrolmentRequired: false };
const ENROLMENT = {
  secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  otpauthUri:
    'otpauth://totp/Berth:admin%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Berth&algorithm=SHA1&digits=6&period=30',
  expiresAt: '2026-12-01T12:10:00.000Z',
};
const CODES = Array.from({ length: 10 }, (_, i) => `abcd-efgh-jkmn-pq${String(i).padStart(2, '2')}`);

describe('TwoFactorSection', () => {
  it('enrols: password, then the QR code, key and link, then a code; shows the recovery codes once', async () => {
    let enabled = false;
    const requests = stubApi({
      'GET /me/two-factor': () => ({ status: 200, body: enabled ? ON : OFF }),
      'POST /me/two-factor/enrolment': (body) =>
        (body as { currentPassword: string }).currentPassword === 'right-password'
          ? { status: 200, body: ENROLMENT }
          : apiError(400, 'VALIDATION_FAILED', 'The current password is wrong.', [
              { path: ['currentPassword'], message: 'The current password is wrong.' },
            ]),
      'POST /me/two-factor/enrolment/confirm': () => {
        enabled = true;
        return { status: 200, body: { recoveryCodes: CODES } };
      },
    });
    renderWithProviders(<TwoFactorSection />);
    await userEvent.type(await screen.findByLabelText(/^Current password/), 'wrong-password');
    await userEvent.click(screen.getByRole('button', { name: 'Set up two-factor sign-in' }));
    expect(await screen.findByText('The current password is wrong.')).toBeTruthy();
    expect(screen.getByLabelText(/^Current password/).getAttribute('aria-invalid')).toBe('true');

    await userEvent.clear(screen.getByLabelText(/^Current password/));
    await userEvent.type(screen.getByLabelText(/^Current password/), 'right-password');
    await userEvent.click(screen.getByRole('button', { name: 'Set up two-factor sign-in' }));
    const qr = await screen.findByRole('img', { name: 'QR code for your authenticator app' });
    expect(qr.querySelector('path')?.getAttribute('d')).toMatch(/^M\d+ \d+h1v1h-1z/);
    expect(screen.getByLabelText('Two-factor key').textContent).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(screen.getByLabelText('otpauth link').textContent).toBe(ENROLMENT.otpauthUri);

    await userEvent.type(screen.getByLabelText('Code from the app'), '12345');
    await userEvent.click(screen.getByRole('button', { name: 'Turn on two-factor sign-in' }));
    expect(await screen.findByText('Enter the 6-digit code from your authenticator app.')).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Code from the app'), '6');
    await userEvent.click(screen.getByRole('button', { name: 'Turn on two-factor sign-in' }));

    const codes = await screen.findByLabelText('Recovery codes');
    expect(codes.textContent).toBe(CODES.join('\n'));
    expect(screen.getByRole('button', { name: 'Copy codes' })).toBeTruthy();
    expect(requests.find((r) => r.path === '/me/two-factor/enrolment/confirm')?.body).toEqual({ code: '123456' });
    await userEvent.click(screen.getByRole('button', { name: 'I have stored them' }));
    expect(await screen.findByText(/10 recovery codes left/)).toBeTruthy();
    expect(screen.queryByLabelText('Recovery codes')).toBeNull();
  });

  it('turns off with the password and a recovery code, placing a wrong code at its field', async () => {
    const requests = stubApi({
      'GET /me/two-factor': { status: 200, body: ON },
      'POST /me/two-factor/disable': apiError(
        400,
        'VALIDATION_FAILED',
        'This recovery code is wrong or was already used.',
        [{ path: ['recoveryCode'], message: 'This recovery code is wrong or was already used.' }],
      ),
    });
    renderWithProviders(<TwoFactorSection />);
    await userEvent.type(await screen.findByLabelText(/^Current password/), 'right-password');
    await userEvent.click(screen.getByRole('button', { name: 'Use a recovery code instead' }));
    await userEvent.type(screen.getByLabelText('Recovery code'), 'aaaa-bbbb-cccc-dddd');
    await userEvent.click(screen.getByRole('button', { name: 'Turn off two-factor sign-in' }));
    expect(await screen.findByText('This recovery code is wrong or was already used.')).toBeTruthy();
    expect(screen.getByLabelText('Recovery code').getAttribute('aria-invalid')).toBe('true');
    await waitFor(() =>
      expect(requests.find((r) => r.path === '/me/two-factor/disable')?.body).toEqual({
        currentPassword: 'right-password',
        recoveryCode: 'aaaabbbbccccdddd',
      }),
    );
  });
});

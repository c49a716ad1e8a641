import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  TRecoveryCodes,
  TSessionResponse,
  TTwoFactorEnrolment,
  TTwoFactorStatus,
  ZConfirmTwoFactorRequest,
  ZDisableTwoFactorRequest,
  ZRegenerateRecoveryCodesRequest,
  ZStartTwoFactorRequest,
  ZTotpLoginRequest,
} from '@berth/contracts';
import { api } from '../api';
import { SESSION_KEY } from './session';

export const TWO_FACTOR_KEY = ['two-factor'] as const;

/** useTwoFactorStatus reads whether the signed-in user has two-factor sign-in and how many recovery codes are left. */
export function useTwoFactorStatus() {
  return useQuery({ queryKey: TWO_FACTOR_KEY, queryFn: () => api<TTwoFactorStatus>('GET', '/me/two-factor') });
}

/**
 * useRefreshTwoFactor re-reads the two-factor state and the session (whose `twoFactor` decides whether an
 * administrator must enrol first). Call it once the recovery codes were put away, not before: the session
 * change swaps the enrolment screen for the console.
 */
export function useRefreshTwoFactor() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: TWO_FACTOR_KEY }),
      queryClient.invalidateQueries({ queryKey: SESSION_KEY }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
    ]);
}

/** useStartEnrolment asks for a new secret (the password again); nothing changes until it is confirmed. */
export function useStartEnrolment() {
  return useMutation({
    mutationFn: (body: z.output<typeof ZStartTwoFactorRequest>) =>
      api<TTwoFactorEnrolment>('POST', '/me/two-factor/enrolment', body),
  });
}

/** useConfirmEnrolment turns two-factor sign-in on; the answer holds the recovery codes, shown this once. */
export function useConfirmEnrolment() {
  return useMutation({
    mutationFn: (body: z.output<typeof ZConfirmTwoFactorRequest>) =>
      api<TRecoveryCodes>('POST', '/me/two-factor/enrolment/confirm', body),
  });
}

export function useRegenerateRecoveryCodes() {
  return useMutation({
    mutationFn: (body: z.output<typeof ZRegenerateRecoveryCodesRequest>) =>
      api<TRecoveryCodes>('POST', '/me/two-factor/recovery-codes', body),
  });
}

export function useDisableTwoFactor() {
  const refresh = useRefreshTwoFactor();
  return useMutation({
    mutationFn: (body: z.output<typeof ZDisableTwoFactorRequest>) => api('POST', '/me/two-factor/disable', body),
    onSuccess: refresh,
  });
}

/** useTotpLogin is the second sign-in step: the challenge and a code (or recovery code) open the session. */
export function useTotpLogin() {
  return useMutation({
    mutationFn: (body: z.output<typeof ZTotpLoginRequest>) => api<TSessionResponse>('POST', '/auth/login/totp', body),
  });
}

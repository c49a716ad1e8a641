import { z } from 'zod';

/**
 * ZTotpCode is a 6-digit code from an authenticator app (RFC 6238: SHA-1, 30-second steps). Spaces and
 * hyphens people type from the app's display ("123 456") are dropped before the check.
 */
export const ZTotpCode = z
  .string()
  .max(20, 'Enter the 6-digit code from your authenticator app.')
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app.'));

/**
 * ZRecoveryCode is one of the ten one-time recovery codes shown at enrolment (`k7m2-qx9f-dz4a-8wpe`); case,
 * spaces and hyphens do not matter.
 */
export const ZRecoveryCode = z
  .string()
  .max(40, 'A recovery code looks like k7m2-qx9f-dz4a-8wpe.')
  .transform((s) => s.replace(/[\s-]/g, '').toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9]{16}$/, 'A recovery code looks like k7m2-qx9f-dz4a-8wpe.'));

const ZCurrentPassword = z.string().min(1, 'Enter your password.').max(256);

/** exactlyOneFactor accepts "a code from the app, or a recovery code": exactly one of the two. */
function exactlyOneFactor(body: { code?: string; recoveryCode?: string }): boolean {
  return (body.code === undefined) !== (body.recoveryCode === undefined);
}
const ONE_FACTOR = { message: 'Enter the code from your authenticator app, or a recovery code.', path: ['code'] };

/** ZTwoFactorStatus is the signed-in user's two-factor state (GET /me/two-factor). */
export const ZTwoFactorStatus = z.object({
  enabled: z.boolean(),
  enabledAt: z.string().nullable(),
  /** Unused recovery codes left (0 when two-factor sign-in is off). */
  recoveryCodesLeft: z.number().int(),
  /** The installation requires administrators to use two-factor sign-in and this session's user does not yet. */
  enrolmentRequired: z.boolean(),
});
export type TTwoFactorStatus = z.infer<typeof ZTwoFactorStatus>;

/** ZStartTwoFactorRequest starts enrolment; the password is asked again so a borrowed session cannot enrol. */
export const ZStartTwoFactorRequest = z.strictObject({ currentPassword: ZCurrentPassword });
export type TStartTwoFactorRequest = z.input<typeof ZStartTwoFactorRequest>;

/**
 * ZTwoFactorEnrolment is the new secret, shown once to be scanned or typed into an authenticator app; it
 * takes effect only when confirmed with a code before `expiresAt`.
 */
export const ZTwoFactorEnrolment = z.object({
  /** The shared secret in base32 (RFC 4648, no padding), for typing by hand. */
  secret: z.string(),
  /** `otpauth://totp/Berth:<email>?secret=…&issuer=Berth&algorithm=SHA1&digits=6&period=30`, for the QR code. */
  otpauthUri: z.string(),
  expiresAt: z.string(),
});
export type TTwoFactorEnrolment = z.infer<typeof ZTwoFactorEnrolment>;

export const ZConfirmTwoFactorRequest = z.strictObject({ code: ZTotpCode });
export type TConfirmTwoFactorRequest = z.input<typeof ZConfirmTwoFactorRequest>;

/** ZRecoveryCodes is answered once, at confirmation or regeneration: only their hashes are stored. */
export const ZRecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });
export type TRecoveryCodes = z.infer<typeof ZRecoveryCodes>;

export const ZDisableTwoFactorRequest = z
  .strictObject({
    currentPassword: ZCurrentPassword,
    code: ZTotpCode.optional(),
    recoveryCode: ZRecoveryCode.optional(),
  })
  .refine(exactlyOneFactor, ONE_FACTOR);
export type TDisableTwoFactorRequest = z.input<typeof ZDisableTwoFactorRequest>;

export const ZRegenerateRecoveryCodesRequest = z.strictObject({ code: ZTotpCode });
export type TRegenerateRecoveryCodesRequest = z.input<typeof ZRegenerateRecoveryCodesRequest>;

/**
 * ZTotpLoginRequest is the second sign-in step: the challenge POST /auth/login answered, and a code from
 * the app or a recovery code.
 */
export const ZTotpLoginRequest = z
  .strictObject({
    challenge: z.string().min(20, 'Sign in with your password first.').max(100, 'Sign in with your password first.'),
    code: ZTotpCode.optional(),
    recoveryCode: ZRecoveryCode.optional(),
  })
  .refine(exactlyOneFactor, ONE_FACTOR);
export type TTotpLoginRequest = z.input<typeof ZTotpLoginRequest>;

/**
 * ZLoginChallenge is POST /auth/login's answer for a user with two-factor sign-in: the password was right,
 * no session is open yet; send `challenge` with a code to POST /auth/login/totp before `expiresAt`.
 */
export const ZLoginChallenge = z.object({
  twoFactor: z.literal('required'),
  challenge: z.string(),
  expiresAt: z.string(),
});
export type TLoginChallenge = z.infer<typeof ZLoginChallenge>;

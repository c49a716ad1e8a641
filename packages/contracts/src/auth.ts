import { z } from 'zod';
import { ZEmail, ZId, ZPassword } from './common.js';
import { ZTenant } from './tenants.js';
import { ZLoginChallenge } from './two-factor.js';

export const ROLES = ['admin', 'tenant-owner', 'tenant-member'] as const;
export const ZRole = z.enum(ROLES);
export type TRole = z.infer<typeof ZRole>;

export const ZLoginRequest = z.strictObject({
  email: ZEmail,
  password: z.string().min(1, 'Enter your password.').max(256),
});
export type TLoginRequest = z.input<typeof ZLoginRequest>;

export const ZUser = z.object({
  id: ZId,
  email: z.string(),
  role: ZRole,
  tenantId: ZId.nullable(),
  createdAt: z.string(),
});
export type TUser = z.infer<typeof ZUser>;

/**
 * ZSessionTwoFactor is the session's two-factor state: `enrolmentRequired` means the installation requires
 * administrators to use two-factor sign-in and this one must enrol before anything else is allowed.
 */
export const ZSessionTwoFactor = z.object({ enabled: z.boolean(), enrolmentRequired: z.boolean() });

/**
 * ZImpersonatedBy is present while an administrator is signed in as a tenant's owner ("Sign in as this
 * tenant"): who, and when the impersonation ends on its own. POST /auth/impersonation/end returns to them.
 */
export const ZImpersonatedBy = z.object({ email: z.string(), expiresAt: z.string() });
export type TImpersonatedBy = z.infer<typeof ZImpersonatedBy>;

/** ZSessionTenant is the signed-in tenant user's account as its banners need it (name, suspension and why). */
export const ZSessionTenant = ZTenant.pick({ id: true, slug: true, name: true, status: true, suspendedReason: true });
export type TSessionTenant = z.infer<typeof ZSessionTenant>;

export const ZSessionResponse = z.object({
  user: ZUser,
  csrfToken: z.string(),
  twoFactor: ZSessionTwoFactor,
  /** The user's tenant (tenant users only). */
  tenant: ZSessionTenant.optional(),
  /** Only while an administrator is signed in as this user. */
  impersonatedBy: ZImpersonatedBy.optional(),
});
export type TSessionResponse = z.infer<typeof ZSessionResponse>;

/** ZLoginResponse is a session, or (two-factor users) the challenge to answer with a code. */
export const ZLoginResponse = z.union([ZSessionResponse, ZLoginChallenge]);
export type TLoginResponse = z.infer<typeof ZLoginResponse>;

export const ZChangePasswordRequest = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: ZPassword,
});
export type TChangePasswordRequest = z.input<typeof ZChangePasswordRequest>;

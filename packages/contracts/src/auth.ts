import { z } from 'zod';
import { ZEmail, ZId, ZPassword } from './common.js';

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

export const ZSessionResponse = z.object({ user: ZUser, csrfToken: z.string() });
export type TSessionResponse = z.infer<typeof ZSessionResponse>;

export const ZChangePasswordRequest = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: ZPassword,
});
export type TChangePasswordRequest = z.input<typeof ZChangePasswordRequest>;

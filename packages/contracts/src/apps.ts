import { z } from 'zod';
import { ZId } from './common.js';

/** APPS are the applications a PHP site can get in one click. */
export const APPS = ['wordpress'] as const;
export const ZApp = z.enum(APPS);
export type TApp = z.infer<typeof ZApp>;

export const APP_INSTALL_STATUSES = ['installing', 'installed', 'failed'] as const;
export const ZAppInstallStatus = z.enum(APP_INSTALL_STATUSES);

export const ZInstallWordPressRequest = z.strictObject({
  /** The site's title, shown in its header and browser tab. */
  title: z.string().trim().min(1, 'Enter a site title.').max(100, 'Use at most 100 characters.'),
  adminUser: z
    .string()
    .min(3, 'Use at least 3 characters.')
    .max(60, 'Use at most 60 characters.')
    .regex(/^[A-Za-z0-9_.@-]+$/, 'Use letters, digits and _ . @ - only.')
    .refine((v) => v.toLowerCase() !== 'admin', 'Choose a name other than "admin": it is the first one attackers try.'),
  adminEmail: z.email('Enter an email address.').max(100),
  /** The administrator's password; a strong one is generated (and shown once) when omitted. */
  adminPassword: z
    .string()
    .min(12, 'Use at least 12 characters, or leave it empty to get a generated one.')
    .max(128, 'Use at most 128 characters.')
    .optional(),
});
export type TInstallWordPressRequest = z.input<typeof ZInstallWordPressRequest>;

export const ZAppInstall = z.object({
  siteId: ZId,
  app: ZApp,
  /** `installing` while it runs (`message` says the step), then `installed` or `failed` (`message` says why). */
  status: ZAppInstallStatus,
  message: z.string().nullable(),
  version: z.string().nullable(),
  databaseId: ZId.nullable(),
  adminUser: z.string(),
  /** Where the administrator signs in, e.g. https://example.com/wp-admin/. */
  adminUrl: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TAppInstall = z.infer<typeof ZAppInstall>;

/** ZStartedAppInstall is the answer to an install request: the generated password appears here once. */
export const ZStartedAppInstall = ZAppInstall.extend({ adminPassword: z.string().optional() });
export type TStartedAppInstall = z.infer<typeof ZStartedAppInstall>;

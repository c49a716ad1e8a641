import { z } from 'zod';
import { normalizeHostname } from './hostname.js';

/** ZId is the shape of every resource id: a lowercase ULID-like string made by the server. */
export const ZId = z.string().regex(/^[a-z0-9]{10,40}$/, 'Not a valid id.');
export const ZIdParams = z.strictObject({ id: ZId });

/** ZSlug is a tenant's short name: it becomes part of container, network and directory names. */
export const ZSlug = z
  .string()
  .min(3, 'A slug is at least 3 characters.')
  .max(32, 'A slug is at most 32 characters.')
  .regex(
    /^[a-z][a-z0-9-]*[a-z0-9]$/,
    'Use lowercase letters, digits and hyphens; start with a letter, end with a letter or digit.',
  )
  .refine((s) => !s.includes('--'), 'A slug cannot contain two hyphens in a row.');

/** ZSiteName names a site inside its tenant; it becomes part of container and directory names. */
export const ZSiteName = z
  .string()
  .min(1, 'Enter a site name.')
  .max(40, 'A site name is at most 40 characters.')
  .regex(
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    'Use lowercase letters, digits and hyphens; start and end with a letter or digit.',
  );

export const ZDisplayName = z.string().trim().min(1, 'Enter a name.').max(100, 'A name is at most 100 characters.');

export const ZEmail = z
  .string()
  .max(254, 'An email address is at most 254 characters.')
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.email('Enter a valid email address.'));

/** ZPassword is a new password: long enough to resist guessing, short enough to hash cheaply. */
export const ZPassword = z
  .string()
  .min(12, 'A password is at least 12 characters.')
  .max(256, 'A password is at most 256 characters.');

/** ZHostname accepts what a user types and yields the normalized hostname (IDN → punycode, lowercase). */
export const ZHostname = z
  .string()
  .max(300, 'A hostname is at most 253 characters long.')
  .transform((value, ctx) => {
    const result = normalizeHostname(value);
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.reason });
      return z.NEVER;
    }
    return result.hostname;
  });

export const ZPageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** ZPage wraps a list response: the items of this page and the total count. */
export function ZPage<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int() });
}

export const ZOk = z.object({ ok: z.literal(true) });

import { z } from 'zod';
import { ZHostname, ZId } from './common.js';
import { WWW_REDIRECTS } from './hostname.js';

export const TLS_MODES = ['auto', 'internal', 'custom', 'off'] as const;
export const ZTlsMode = z.enum(TLS_MODES);
export type TTlsMode = z.infer<typeof ZTlsMode>;

export const DOMAIN_KINDS = ['primary', 'alias', 'redirect'] as const;
export const ZDomainKind = z.enum(DOMAIN_KINDS);
export type TDomainKind = z.infer<typeof ZDomainKind>;

export const ZWwwRedirect = z.enum(WWW_REDIRECTS);

/** INTERNAL_TLDS get Caddy's local CA by default: they can never get a public certificate. */
export const INTERNAL_TLDS = ['localhost', 'test', 'internal', 'lan'] as const;

/** defaultTlsMode picks `internal` for hostnames under a private TLD and `auto` (ACME) otherwise. */
export function defaultTlsMode(hostname: string): TTlsMode {
  const tld = hostname.slice(hostname.lastIndexOf('.') + 1);
  return (INTERNAL_TLDS as readonly string[]).includes(tld) ? 'internal' : 'auto';
}

/** ZRedirectTarget is where a redirect-only domain sends visitors: an absolute http(s) URL. */
export const ZRedirectTarget = z
  .string()
  .max(2_000)
  .regex(/^https?:\/\/[^\s"'<>\\{}|^`]+$/, 'Enter an absolute http:// or https:// URL without spaces or quotes.')
  .refine((value) => URL.canParse(value), 'Enter a valid URL.');

export const ZCreateDomainRequest = z
  .strictObject({
    hostname: ZHostname,
    tls: ZTlsMode.optional(),
    kind: ZDomainKind.optional(),
    redirectTo: ZRedirectTarget.optional(),
    redirectCode: z.union([z.literal(301), z.literal(302)]).optional(),
    wwwRedirect: ZWwwRedirect.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.kind === 'redirect' && !value.redirectTo) {
      ctx.addIssue({ code: 'custom', path: ['redirectTo'], message: 'A redirect domain needs a redirectTo URL.' });
    }
    if (value.kind !== 'redirect' && (value.redirectTo !== undefined || value.redirectCode !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['redirectTo'],
        message: 'redirectTo and redirectCode are only for kind "redirect".',
      });
    }
  });
export type TCreateDomainRequest = z.input<typeof ZCreateDomainRequest>;

export const ZUpdateDomainRequest = z.strictObject({
  tls: ZTlsMode.optional(),
  kind: ZDomainKind.optional(),
  wwwRedirect: ZWwwRedirect.optional(),
});

/**
 * ZDomainVerification is the hostname's ownership check (BERTH_DOMAIN_VERIFICATION=dns): until it is
 * `verified`, the edge neither serves the hostname nor obtains a certificate for it. Publish a TXT record
 * `recordName` with `recordValue` (or point the name at this server), then POST /domains/{id}/verify.
 */
export const ZDomainVerification = z.object({
  status: z.enum(['verified', 'pending']),
  recordName: z.string().nullable(),
  recordValue: z.string().nullable(),
  verifiedAt: z.string().nullable(),
});
export type TDomainVerification = z.infer<typeof ZDomainVerification>;

/** ZVerifyDomainRequest asks the panel to check DNS now; an administrator may vouch for the name instead (`override`). */
export const ZVerifyDomainRequest = z.strictObject({ override: z.boolean().optional() });

export const ZDomain = z.object({
  id: ZId,
  hostname: z.string(),
  siteId: ZId,
  tenantId: ZId,
  kind: ZDomainKind,
  redirectTo: z.string().nullable(),
  redirectCode: z.number().int().nullable(),
  tls: ZTlsMode,
  wwwRedirect: ZWwwRedirect,
  verification: ZDomainVerification.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TDomain = z.infer<typeof ZDomain>;

/** ZUploadCertificateRequest carries a PEM chain (leaf first) and its unencrypted PEM private key. */
export const ZUploadCertificateRequest = z.strictObject({
  certificatePem: z.string().min(1, 'Paste the certificate.').max(65_536, 'The certificate chain is at most 64 KiB.'),
  privateKeyPem: z.string().min(1, 'Paste the private key.').max(16_384, 'The private key is at most 16 KiB.'),
});

/** ZCertificateStatus is what the panel knows of a domain's certificate: uploaded, or as last seen at the edge. */
export const ZCertificateStatus = z.object({
  hostname: z.string(),
  tls: ZTlsMode,
  issuer: z.string().nullable(),
  notAfter: z.string().nullable(),
  checkedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type TCertificateStatus = z.infer<typeof ZCertificateStatus>;

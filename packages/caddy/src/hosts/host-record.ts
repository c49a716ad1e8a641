import { X509Certificate, createPrivateKey } from 'node:crypto';
import { posix } from 'node:path';
import { z } from 'zod';

/**
 * A HostRecord is one row of the edge's host table: what Caddy does for one host name. Berth's Caddy
 * module (packages/caddy/module, `record.go`) validates the same shape; `testdata/records.json` there is
 * the shared test vector that keeps the two in step. Keys are snake_case, as in Caddy's JSON.
 */
const ZId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1-64 of [A-Za-z0-9_-]');
// One or more RFC 1123 labels: the panel's API asks for two or more, the table itself does not need to.
const HOST_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ZHost = z.string().regex(HOST_RE, 'not a lower-case DNS host name without port or trailing dot');
const IPV4 = '(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const UPSTREAM_RE = new RegExp(`^(?:${IPV4}|\\[[0-9a-fA-F:.]+\\]):(\\d{1,5})$`);
const ZUpstream = z
  .string()
  .regex(UPSTREAM_RE, 'not IP:port')
  .refine((value) => {
    const port = Number(value.slice(value.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65_535;
  }, 'port out of range');
const ZRedirectUrl = z
  .string()
  .max(2_048)
  .regex(
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    /^https?:\/\/[^/\s\u0000-\u001f\u007f"<>\\^`{|}][^\s\u0000-\u001f\u007f"<>\\^`{|}]*$/,
    'not an absolute http(s) URL',
  )
  .refine((value) => URL.canParse(value), 'not a valid URL');
const ZPrefix = z
  .string()
  .regex(/^(?:\/[A-Za-z0-9._-]+)+$/, 'a prefix is "/" followed by segments of [A-Za-z0-9._-]')
  .refine(
    (value) => !value.split('/').some((segment) => segment === '.' || segment === '..'),
    'a prefix has no "." or ".." segment',
  );

export const ZHostTls = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('auto') }),
  z.strictObject({ mode: z.literal('internal') }),
  z.strictObject({
    mode: z.literal('custom'),
    certificate_pem: z.string().min(1).max(65_536),
    key_pem: z.string().min(1).max(16_384),
  }),
  z.strictObject({ mode: z.literal('off') }),
]);
export type THostTls = z.infer<typeof ZHostTls>;

const base = {
  host: ZHost,
  tenant: ZId,
  site: ZId,
  domain: ZId,
  tls: ZHostTls,
  log: z.boolean().optional(),
  /** Reserved for the WAF; only "off" until it lands. */
  waf: z.enum(['', 'off']).optional(),
  /** Reserved for rate limit tiers; empty until they land. */
  rate_limit: z.literal('').optional(),
};

export const ZHostRecord = z.discriminatedUnion('action', [
  z.strictObject({
    ...base,
    action: z.literal('proxy'),
    upstream: ZUpstream,
    static: z
      .strictObject({
        root: z.string().min(2).max(4_096),
        prefixes: z
          .array(ZPrefix)
          .min(1)
          .max(8)
          .refine((p) => new Set(p).size === p.length, 'duplicate prefix'),
      })
      .optional(),
  }),
  z.strictObject({
    ...base,
    action: z.literal('redirect'),
    redirect: z.strictObject({
      to: ZRedirectUrl,
      status: z.union([z.literal(301), z.literal(302), z.literal(307), z.literal(308)]),
      preserve_path: z.boolean().optional(),
    }),
  }),
  z
    .strictObject({ ...base, action: z.literal('canonical'), canonical: ZHost })
    .refine((r) => r.canonical !== r.host, { path: ['canonical'], message: 'equals host' }),
  z.strictObject({ ...base, action: z.literal('suspended') }),
]);
export type THostRecord = z.infer<typeof ZHostRecord>;

/**
 * validateHostRecord checks one record the way Berth's Caddy module does, so a record the module would
 * refuse is caught (and reported against its own domain) before it is sent. Returns null or the reason.
 */
export function validateHostRecord(record: unknown, { staticBase }: { staticBase: string }): string | null {
  const parsed = ZHostRecord.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.') || 'record'}: ${issue.message}`;
  }
  const rec = parsed.data;
  if (rec.action === 'proxy' && rec.static !== undefined) {
    const root = rec.static.root;
    const baseDir = staticBase.replace(/\/+$/, '');
    if (!root.startsWith('/') || posix.normalize(root) !== root || root.endsWith('/'))
      return `static.root: ${JSON.stringify(root)} is not an absolute clean path`;
    if (!root.startsWith(`${baseDir}/`)) return `static.root: ${JSON.stringify(root)} is not inside ${baseDir}`;
  }
  if (rec.tls.mode === 'custom') {
    try {
      const leaf = new X509Certificate(rec.tls.certificate_pem);
      if (!leaf.checkPrivateKey(createPrivateKey(rec.tls.key_pem)))
        return 'tls.key_pem: the key does not match the certificate';
    } catch (err) {
      return `tls: the certificate or key does not parse (${err instanceof Error ? err.message : String(err)})`;
    }
  }
  return null;
}

/** recordKey is a stable text of a record, used to see whether a host's record changed since it was sent. */
export function recordKey(record: THostRecord): string {
  return JSON.stringify(record);
}

import { z } from 'zod';
import { ZDisplayName, ZEmail, ZHostname, ZId, ZPageQuery, ZPassword, ZSiteName, ZSlug } from './common.js';
import { ZWebserverKind } from './runtimes.js';
import { ZRuntimeChoice, ZSiteStatus } from './sites.js';
import { ZTenantStatus } from './tenants.js';

/**
 * requestExamples documents request bodies for the OpenAPI document. Zod leaves `examples` out of the
 * input-side JSON schema of anything with a transform (ZEmail, ZHostname), so request examples travel as
 * OpenAPI's `x-examples`, which @fastify/swagger turns into the media type's `examples`.
 */
function requestExamples(examples: Record<string, unknown>): Record<string, unknown> {
  return { 'x-examples': Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])) };
}

/*
 * The billing API: what WHMCS, Blesta or HostBill call to run a hosting account's lifecycle. An account is
 * a tenant seen from the billing side: `username` is the tenant's slug, `email` its owner's sign-in.
 */

export const ZAccountStatus = ZTenantStatus;

/** ZCreateAccountSite is the optional first site of a new account, with its optional first domain. */
export const ZCreateAccountSite = z.strictObject({
  name: ZSiteName,
  runtime: ZRuntimeChoice,
  domain: ZHostname.optional(),
});

export const ZCreateAccountRequest = z
  .strictObject({
    username: ZSlug,
    email: ZEmail,
    password: ZPassword,
    name: ZDisplayName.optional(),
    planId: ZId.optional(),
    webserver: ZWebserverKind.optional(),
    site: ZCreateAccountSite.optional(),
  })
  .meta(
    requestExamples({
      withSite: {
        username: 'acme',
        email: 'owner@acme.example',
        password: 'a-long-client-password',
        planId: '01jd0000000000000000000000',
        site: { name: 'www', runtime: { kind: 'php', version: '8.4' }, domain: 'acme.example' },
      },
      accountOnly: { username: 'acme', email: 'owner@acme.example', password: 'a-long-client-password' },
    }),
  );
export type TCreateAccountRequest = z.input<typeof ZCreateAccountRequest>;

export const ZAccountSite = z.object({
  id: ZId,
  name: z.string(),
  status: ZSiteStatus,
  domains: z.array(z.string()),
});

export const ZAccount = z
  .object({
    id: ZId,
    username: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    planId: ZId,
    planName: z.string(),
    status: ZAccountStatus,
    /** The first domain of the first site, what billing systems show as "the" domain of the service. */
    primaryDomain: z.string().nullable(),
    sites: z.array(ZAccountSite),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({
    examples: [
      {
        id: '01jd1s9k8m0000000000000000',
        username: 'acme',
        name: 'acme',
        email: 'owner@acme.example',
        planId: '01jd0000000000000000000000',
        planName: 'Starter',
        status: 'active',
        primaryDomain: 'acme.example',
        sites: [{ id: '01jd1s9k8m0000000000000001', name: 'www', status: 'pending', domains: ['acme.example'] }],
        createdAt: '2026-11-23T10:00:00.000Z',
        updatedAt: '2026-11-23T10:00:00.000Z',
      },
    ],
  });
export type TAccount = z.infer<typeof ZAccount>;

export const ZAccountListQuery = ZPageQuery.extend({
  /** Matches username, name, owner email or any domain (substring). */
  q: z.string().max(254).optional(),
  status: ZAccountStatus.optional(),
});
export type TAccountListQuery = z.input<typeof ZAccountListQuery>;

export const ZChangeAccountPlanRequest = z
  .strictObject({ planId: ZId })
  .meta(requestExamples({ changePlan: { planId: '01jd0000000000000000000000' } }));
export type TChangeAccountPlanRequest = z.input<typeof ZChangeAccountPlanRequest>;

export const ZChangeAccountPasswordRequest = z
  .strictObject({ password: ZPassword })
  .meta(requestExamples({ setPassword: { password: 'a-new-long-password' } }));
export type TChangeAccountPasswordRequest = z.input<typeof ZChangeAccountPasswordRequest>;

/** ZUsageMeter is one metered resource: bytes used against the plan's limit in bytes. */
export const ZUsageMeter = z.object({ usedBytes: z.number().int(), limitBytes: z.number().int() });

/**
 * ZAccountUsage is what WHMCS's UsageUpdate stores: disk (the account's site files, du-style, plus its databases) and
 * bandwidth (response bytes served by the edge in the current calendar month, UTC). Limits are the plan's
 * `diskMb` × 2^20 and `bandwidthGb` × 2^30.
 */
export const ZAccountUsage = z
  .object({
    accountId: ZId,
    username: z.string(),
    disk: ZUsageMeter.extend({
      /** Site files (du-style). */
      filesBytes: z.number().int(),
      /** Databases, as their servers last reported them. */
      databasesBytes: z.number().int(),
    }),
    bandwidth: ZUsageMeter.extend({ periodStart: z.string(), periodEnd: z.string() }),
    measuredAt: z.string(),
  })
  .meta({
    examples: [
      {
        accountId: '01jd1s9k8m0000000000000000',
        username: 'acme',
        disk: { usedBytes: 52_428_800, limitBytes: 1_048_576_000, filesBytes: 41_943_040, databasesBytes: 10_485_760 },
        bandwidth: {
          usedBytes: 1_234_567,
          limitBytes: 10_737_418_240,
          periodStart: '2026-11-01T00:00:00.000Z',
          periodEnd: '2026-12-01T00:00:00.000Z',
        },
        measuredAt: '2026-11-23T10:00:00.000Z',
      },
    ],
  });
export type TAccountUsage = z.infer<typeof ZAccountUsage>;

/** ZSsoLink is a one-time console sign-in link for the account owner; it expires after five minutes. */
export const ZSsoLink = z
  .object({ url: z.string(), expiresAt: z.string() })
  .meta({ examples: [{ url: 'https://panel.example/api/v1/sso/2q3Yb8…', expiresAt: '2026-11-23T10:05:00.000Z' }] });
export type TSsoLink = z.infer<typeof ZSsoLink>;

/** ZSsoParams accepts any short token: a malformed one is answered like an unknown one (SSO_LINK_INVALID). */
export const ZSsoParams = z.strictObject({ token: z.string().min(1).max(200) });

/**
 * WEBHOOK_EVENTS are the events a webhook endpoint can subscribe to. They come from the audit trail:
 * tenant.create → account.created, tenant.suspend/unsuspend/terminate → account.*, tenant.update of the
 * plan → account.plan-changed, site.live / site.failed as they are.
 */
export const WEBHOOK_EVENTS = [
  'account.created',
  'account.suspended',
  'account.unsuspended',
  'account.terminated',
  'account.plan-changed',
  'site.live',
  'site.failed',
] as const;
export const ZWebhookEvent = z.enum(WEBHOOK_EVENTS);
export type TWebhookEvent = z.infer<typeof ZWebhookEvent>;

/** ZWebhookUrl is where deliveries go: an absolute http(s) URL without credentials. */
export const ZWebhookUrl = z
  .string()
  .max(2_000)
  .regex(
    /^https?:\/\/[^\s"'<>\\{}|^`@]+$/,
    'Enter an absolute http:// or https:// URL without spaces, quotes or credentials.',
  )
  .refine((value) => URL.canParse(value), 'Enter a valid URL.');

const ZWebhookEvents = z
  .array(ZWebhookEvent)
  .min(1, 'Subscribe to at least one event.')
  .max(WEBHOOK_EVENTS.length)
  .refine((list) => new Set(list).size === list.length, 'List each event once.');

export const ZCreateWebhookRequest = z
  .strictObject({
    url: ZWebhookUrl,
    events: ZWebhookEvents,
    description: z.string().trim().max(200).optional(),
  })
  .meta(
    requestExamples({
      whmcs: {
        url: 'https://billing.example/modules/servers/berth/hook.php',
        events: ['account.created', 'site.live', 'site.failed'],
        description: 'WHMCS',
      },
    }),
  );
export type TCreateWebhookRequest = z.input<typeof ZCreateWebhookRequest>;

export const ZUpdateWebhookRequest = z
  .strictObject({
    url: ZWebhookUrl,
    events: ZWebhookEvents,
    description: z.string().trim().max(200),
    enabled: z.boolean(),
  })
  .partial();
export type TUpdateWebhookRequest = z.input<typeof ZUpdateWebhookRequest>;

export const ZWebhook = z.object({
  id: ZId,
  url: z.string(),
  events: z.array(ZWebhookEvent),
  description: z.string().nullable(),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TWebhook = z.infer<typeof ZWebhook>;

/** ZCreatedWebhook is answered once, at creation or rotation: `secret` is never shown again. */
export const ZCreatedWebhook = z.object({ webhook: ZWebhook, secret: z.string() }).meta({
  examples: [
    {
      webhook: {
        id: '01jd2a0000000000000000000a',
        url: 'https://billing.example/hook',
        events: ['account.created'],
        description: null,
        enabled: true,
        createdAt: '2026-11-23T10:00:00.000Z',
        updatedAt: '2026-11-23T10:00:00.000Z',
      },
      secret: 'whsec_…',
    },
  ],
});
export type TCreatedWebhook = z.infer<typeof ZCreatedWebhook>;

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export const ZWebhookAttempt = z.object({
  at: z.string(),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
});

export const ZWebhookDelivery = z.object({
  id: ZId,
  webhookId: ZId,
  eventId: ZId,
  event: ZWebhookEvent,
  /** pending: waiting for its next attempt; delivered: a 2xx came back; failed: every attempt failed. */
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
  attemptLog: z.array(ZWebhookAttempt),
});
export type TWebhookDelivery = z.infer<typeof ZWebhookDelivery>;

export const ZWebhookDeliveryQuery = ZPageQuery.extend({ status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional() });

/**
 * ZWebhookPayload is the JSON body of every delivery. `id` is the event's id (the same for every endpoint
 * and every retry: deduplicate on it); the `Berth-Delivery` header names this endpoint's delivery.
 * `Berth-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` signs it.
 */
export const ZWebhookPayload = z.object({
  id: ZId,
  type: ZWebhookEvent,
  createdAt: z.string(),
  data: z.object({
    account: z.object({
      id: ZId,
      username: z.string().nullable(),
      email: z.string().nullable(),
      planId: z.string().nullable(),
      status: z.string().nullable(),
    }),
    site: z
      .object({
        id: ZId,
        name: z.string().nullable(),
        status: z.string(),
        message: z.string().nullable(),
        domains: z.array(z.string()),
      })
      .optional(),
  }),
});
export type TWebhookPayload = z.infer<typeof ZWebhookPayload>;

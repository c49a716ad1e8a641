import type { Db } from '@berth/db';
import type { TWebhookEvent, TWebhookPayload } from '@berth/contracts';

/** SOURCE_ACTIONS are the audit-trail actions that can become webhook events. */
const BY_ACTION: Record<string, TWebhookEvent> = {
  'tenant.create': 'account.created',
  'tenant.suspend': 'account.suspended',
  'tenant.unsuspend': 'account.unsuspended',
  'tenant.terminate': 'account.terminated',
  'site.live': 'site.live',
  'site.failed': 'site.failed',
};
export const SOURCE_ACTIONS = [...Object.keys(BY_ACTION), 'tenant.update'];

type EventRow = Awaited<ReturnType<Db['event']['findFirstOrThrow']>>;

function detailsOf(row: EventRow): Record<string, unknown> {
  if (!row.details) return {};
  try {
    return JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    return {}; // details are written by the panel as JSON; a broken row just has none
  }
}

/**
 * webhookEventOf maps an Event row to the webhook event it announces, or null: `tenant.update` counts only
 * when it changed the plan; refused requests (`result: error` on tenant actions) announce nothing.
 */
export function webhookEventOf(row: Pick<EventRow, 'action' | 'result' | 'details'>): TWebhookEvent | null {
  if (row.action === 'tenant.update') {
    return row.result === 'ok' && typeof detailsOf(row as EventRow).planId === 'string' ? 'account.plan-changed' : null;
  }
  const event = BY_ACTION[row.action];
  if (!event) return null;
  if (event.startsWith('account.') && row.result !== 'ok') return null;
  return event;
}

/**
 * buildPayload is the body every endpoint receives for one event, built once when the event is first
 * seen and stored with the delivery, so retries sign and send the same bytes. Account data is read as it
 * is now (a terminated account keeps only what the event recorded).
 */
export async function buildPayload(db: Db, row: EventRow, type: TWebhookEvent): Promise<TWebhookPayload> {
  const details = detailsOf(row);
  const tenantId = row.tenantId ?? row.targetId ?? '';
  const tenant = tenantId
    ? await db.tenant.findUnique({
        where: { id: tenantId },
        select: {
          slug: true,
          planId: true,
          status: true,
          users: { where: { role: 'tenant-owner' }, orderBy: { createdAt: 'asc' }, take: 1, select: { email: true } },
        },
      })
    : null;
  const account = {
    id: tenantId,
    username: tenant?.slug ?? (typeof details.slug === 'string' ? details.slug : null),
    email: tenant?.users[0]?.email ?? null,
    planId:
      type === 'account.plan-changed' && typeof details.planId === 'string' ? details.planId : (tenant?.planId ?? null),
    status: type === 'account.terminated' ? 'terminated' : (tenant?.status ?? null),
  };
  const payload: TWebhookPayload = { id: row.id, type, createdAt: row.at.toISOString(), data: { account } };
  if (type === 'site.live' || type === 'site.failed') {
    const siteId = row.targetId ?? '';
    const domains = await db.domain.findMany({
      where: { siteId },
      orderBy: { createdAt: 'asc' },
      select: { hostname: true },
    });
    payload.data.site = {
      id: siteId,
      name: typeof details.name === 'string' ? details.name : null,
      status: type === 'site.live' ? 'live' : 'failed',
      message: row.message,
      domains: domains.map((d) => d.hostname),
    };
  }
  return payload;
}

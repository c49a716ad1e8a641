import type { Db } from '@berth/db';

/** NamedEvent is what naming reads of an event: who acted and on what. */
export interface NamedEvent {
  actor: string;
  targetType: string;
  targetId: string | null;
}

/** EventNames are the names of one page of events, keyed by `actor` and by `<targetType>:<targetId>`. */
export interface EventNames {
  actors: Map<string, string>;
  targets: Map<string, string>;
}

type Lookup = (db: Db, ids: string[], tenantId: string | undefined) => Promise<{ id: string; name: string }[]>;

/**
 * TARGET_LOOKUPS name each kind of target as people know it now, one query per kind for a whole page. With a
 * tenant (a tenant user's view), only that tenant's rows are named; kinds that belong to no tenant (plans,
 * webhooks) are named for administrators only.
 */
const TARGET_LOOKUPS: Record<string, Lookup> = {
  site: async (db, ids, tenantId) =>
    db.site.findMany({ where: { id: { in: ids }, tenantId }, select: { id: true, name: true } }),
  domain: async (db, ids, tenantId) =>
    (await db.domain.findMany({ where: { id: { in: ids }, tenantId }, select: { id: true, hostname: true } })).map(
      (d) => ({ id: d.id, name: d.hostname }),
    ),
  tenant: async (db, ids, tenantId) =>
    (
      await db.tenant.findMany({
        where: { id: tenantId === undefined ? { in: ids } : { in: ids.filter((id) => id === tenantId) } },
        select: { id: true, slug: true },
      })
    ).map((t) => ({ id: t.id, name: t.slug })),
  database: async (db, ids, tenantId) =>
    db.database.findMany({ where: { id: { in: ids }, tenantId }, select: { id: true, name: true } }),
  'database-user': async (db, ids, tenantId) =>
    db.databaseUser.findMany({ where: { id: { in: ids }, tenantId }, select: { id: true, name: true } }),
  'cron-job': async (db, ids, tenantId) =>
    db.cronJob.findMany({ where: { id: { in: ids }, tenantId }, select: { id: true, name: true } }),
  user: async (db, ids, tenantId) =>
    (await db.user.findMany({ where: { id: { in: ids }, tenantId }, select: { id: true, email: true } })).map((u) => ({
      id: u.id,
      name: u.email,
    })),
  token: async (db, ids, tenantId) =>
    db.apiToken.findMany({
      where: { id: { in: ids }, ...(tenantId === undefined ? {} : { user: { tenantId } }) },
      select: { id: true, name: true },
    }),
  plan: async (db, ids, tenantId) =>
    tenantId === undefined ? db.plan.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [],
  webhook: async (db, ids, tenantId) =>
    tenantId === undefined
      ? (await db.webhookEndpoint.findMany({ where: { id: { in: ids } }, select: { id: true, url: true } })).map(
          (w) => ({ id: w.id, name: w.url }),
        )
      : [],
};

function idsOf(items: readonly NamedEvent[], prefix: string): string[] {
  return [...new Set(items.filter((e) => e.actor.startsWith(prefix)).map((e) => e.actor.slice(prefix.length)))];
}

/**
 * nameActors names `user:<id>` actors by email and `token:<id>` actors by the token's name. A tenant user
 * (`tenantId` set) sees its own tenant's people by name and everyone else only by role ("Administrator",
 * "Billing system"): administrators' addresses are not tenants' business. Deleted users and tokens stay unnamed.
 */
async function nameActors(db: Db, items: readonly NamedEvent[], tenantId: string | undefined) {
  const [users, tokens] = await Promise.all([
    db.user.findMany({
      where: { id: { in: idsOf(items, 'user:') } },
      select: { id: true, email: true, tenantId: true },
    }),
    db.apiToken.findMany({
      where: { id: { in: idsOf(items, 'token:') } },
      select: { id: true, name: true, scopes: true, user: { select: { tenantId: true } } },
    }),
  ]);
  const names = new Map<string, string>();
  for (const u of users) {
    const own = tenantId === undefined || u.tenantId === tenantId;
    names.set(`user:${u.id}`, own ? u.email : 'Administrator');
  }
  for (const t of tokens) {
    const own = tenantId === undefined || t.user.tenantId === tenantId;
    const billing = t.scopes.includes('billing');
    names.set(
      `token:${t.id}`,
      own ? `${t.name} (API token)` : billing ? 'Billing system' : 'Administrator (API token)',
    );
  }
  return names;
}

/**
 * nameEvents resolves the actors and targets of one page of events into names, in one query per kind of
 * actor and per kind of target whatever the page's length (never one per event).
 */
export async function nameEvents(
  db: Db,
  items: readonly NamedEvent[],
  tenantId: string | undefined,
): Promise<EventNames> {
  const byType = new Map<string, Set<string>>();
  for (const e of items) {
    if (e.targetId === null || !TARGET_LOOKUPS[e.targetType]) continue;
    const ids = byType.get(e.targetType) ?? new Set<string>();
    ids.add(e.targetId);
    byType.set(e.targetType, ids);
  }
  const [actors, found] = await Promise.all([
    nameActors(db, items, tenantId),
    Promise.all(
      [...byType].map(async ([type, ids]) => ({ type, rows: await TARGET_LOOKUPS[type]!(db, [...ids], tenantId) })),
    ),
  ]);
  const targets = new Map<string, string>();
  for (const { type, rows } of found) for (const row of rows) targets.set(`${type}:${row.id}`, row.name);
  return { actors, targets };
}

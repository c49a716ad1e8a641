import { useState } from 'react';
import { Group, Pagination, Select, Text } from '@mantine/core';
import { EVENT_ACTORS_FIXED, type TEvent } from '@berth/contracts';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { useUser } from '../../queries/session';
import { useTenants } from '../../queries/tenants';
import { EventsTable } from './EventsTable';
import { actorLabel } from './describeEvent';
import { useEvents, type EventFilter } from '../../queries/events';

const PAGE = 25;

/** EVENT_KINDS are the kinds of action people filter by (the part of an action before its dot). */
export const EVENT_KINDS: { value: string; label: string }[] = [
  { value: 'site', label: 'Sites' },
  { value: 'domain', label: 'Domains' },
  { value: 'database', label: 'Databases' },
  { value: 'database-user', label: 'Database users' },
  { value: 'file', label: 'Files' },
  { value: 'cron', label: 'Cron jobs' },
  { value: 'backup', label: 'Backups' },
  { value: 'restore', label: 'Restores' },
  { value: 'app', label: 'Apps' },
  { value: 'sftp', label: 'SFTP' },
  { value: 'tenant', label: 'Accounts' },
  { value: 'user', label: 'Users' },
  { value: 'auth', label: 'Sign-ins' },
  { value: 'token', label: 'API tokens' },
  { value: 'reconcile', label: 'Panel repairs' },
  { value: 'plan', label: 'Plans' },
  { value: 'webhook', label: 'Webhooks' },
];

const RESULTS = [
  { value: 'ok', label: 'Done' },
  { value: 'error', label: 'Failed or refused' },
];

/**
 * actorOptions are the actors to filter by: the signed-in user, the panel itself, the CLI and anonymous
 * callers, and everyone named on the page being read (and the one filtered by, so the choice stays shown).
 */
function actorOptions(
  me: { id: string; email: string },
  items: readonly TEvent[],
  chosen: { value: string; label: string } | null,
) {
  const options = new Map<string, string>([[`user:${me.id}`, `Me (${me.email})`]]);
  for (const actor of EVENT_ACTORS_FIXED) options.set(actor, actorLabel({ actor, actorName: null }));
  for (const e of items) if (!options.has(e.actor)) options.set(e.actor, actorLabel(e));
  if (chosen && !options.has(chosen.value)) options.set(chosen.value, chosen.label);
  return [...options].map(([value, label]) => ({ value, label }));
}

/** EventsPage is the audit trail, filtered by kind of action, result and actor; operators can narrow it to one tenant. */
export function EventsPage() {
  const user = useUser();
  const admin = user.role === 'admin';
  const tenants = useTenants({ limit: 500 }, { enabled: admin });
  const [filter, setFilter] = useState<EventFilter>({});
  const [actor, setActor] = useState<{ value: string; label: string } | null>(null);
  const [page, setPage] = useState(1);
  const events = useEvents({ ...filter, limit: PAGE, offset: (page - 1) * PAGE });

  function change(next: Partial<EventFilter>) {
    setFilter((current) => ({ ...current, ...next }));
    setPage(1);
  }
  const actors = actorOptions(user, events.data?.items ?? [], actor);

  return (
    <>
      <PageHeader title="Events" description="Everything that changed, who did it, and what was refused." />
      <Group align="flex-start" gap="sm" mb="md" role="group" aria-label="Filter events">
        <Select
          label="Kind"
          placeholder="Everything"
          clearable
          w={190}
          value={filter.kind ?? null}
          data={EVENT_KINDS}
          onChange={(v) => change({ kind: v ?? undefined })}
        />
        <Select
          label="Result"
          placeholder="Any result"
          clearable
          w={190}
          value={filter.result ?? null}
          data={RESULTS}
          onChange={(v) => change({ result: (v as 'ok' | 'error' | null) ?? undefined })}
        />
        <Select
          label="Who"
          placeholder="Anyone"
          clearable
          searchable
          w={260}
          value={filter.actor ?? null}
          data={actors}
          onChange={(v) => {
            setActor(v ? { value: v, label: actors.find((a) => a.value === v)?.label ?? v } : null);
            change({ actor: v ?? undefined });
          }}
        />
        {admin && (
          <Select
            label="Tenant"
            placeholder="Any tenant"
            clearable
            searchable
            w={200}
            value={filter.tenantId ?? null}
            data={(tenants.data?.items ?? []).map((t) => ({ value: t.id, label: t.slug }))}
            onChange={(v) => change({ tenantId: v ?? undefined })}
          />
        )}
      </Group>
      <QueryState query={events} label="events">
        {(data) => (
          <>
            <EventsTable events={data.items} empty="No event matches these filters." />
            <Group justify="space-between" mt="md">
              <Text size="sm" c="dimmed">
                {data.total} event{data.total === 1 ? '' : 's'}
              </Text>
              {data.total > PAGE && (
                <Pagination
                  total={Math.ceil(data.total / PAGE)}
                  value={page}
                  onChange={setPage}
                  size="sm"
                  getControlProps={(control) => ({ 'aria-label': `${control} page` })}
                />
              )}
            </Group>
          </>
        )}
      </QueryState>
    </>
  );
}

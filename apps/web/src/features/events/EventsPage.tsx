import { useState, type FormEvent } from 'react';
import { Button, Group, Pagination, Select, Text, TextInput } from '@mantine/core';
import { ZEventListQuery } from '@berth/contracts';
import { useFormErrors } from '../../forms/useFormErrors';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { useUser } from '../../queries/session';
import { useTenants } from '../../queries/tenants';
import { EventsTable } from './EventsTable';
import { useEvents, type EventFilter } from '../../queries/events';

const PAGE = 25;
const FIELDS = ['action', 'targetId', 'tenantId', 'result'] as const;

/** EventsPage is the audit trail with filters; operators can narrow it to one tenant. */
export function EventsPage() {
  const admin = useUser().role === 'admin';
  const tenants = useTenants({ limit: 500 }, { enabled: admin });
  const [draft, setDraft] = useState({
    action: '',
    targetId: '',
    tenantId: null as string | null,
    result: null as string | null,
  });
  const [filter, setFilter] = useState<EventFilter>({});
  const [page, setPage] = useState(1);
  const form = useFormErrors(ZEventListQuery, { fields: FIELDS });
  const events = useEvents({ ...filter, limit: PAGE, offset: (page - 1) * PAGE });

  function apply(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({
      action: draft.action.trim() || undefined,
      targetId: draft.targetId.trim() || undefined,
      tenantId: draft.tenantId ?? undefined,
      result: (draft.result as 'ok' | 'error' | null) ?? undefined,
    });
    if (!input) return;
    setFilter({ action: input.action, targetId: input.targetId, tenantId: input.tenantId, result: input.result });
    setPage(1);
  }

  return (
    <>
      <PageHeader title="Events" description="Everything that changed, who did it, and what was refused." />
      <form onSubmit={apply} noValidate aria-label="Filter events">
        <Group align="flex-start" gap="sm" mb="md">
          <TextInput
            label="Action"
            placeholder="site.create"
            value={draft.action}
            w={180}
            onChange={(e) => setDraft({ ...draft, action: e.currentTarget.value })}
            error={form.errors.action}
          />
          <TextInput
            label="Target id"
            value={draft.targetId}
            w={220}
            onChange={(e) => setDraft({ ...draft, targetId: e.currentTarget.value })}
            error={form.errors.targetId}
          />
          {admin && (
            <Select
              label="Tenant"
              placeholder="Any tenant"
              clearable
              searchable
              w={200}
              value={draft.tenantId}
              data={(tenants.data?.items ?? []).map((t) => ({ value: t.id, label: t.slug }))}
              onChange={(v) => setDraft({ ...draft, tenantId: v })}
              error={form.errors.tenantId}
            />
          )}
          <Select
            label="Result"
            placeholder="Any result"
            clearable
            w={150}
            value={draft.result}
            data={['ok', 'error']}
            onChange={(v) => setDraft({ ...draft, result: v })}
            error={form.errors.result}
          />
          <Button type="submit" mt={25}>
            Apply filters
          </Button>
        </Group>
      </form>
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

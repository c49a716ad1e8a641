import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { TEvent } from '@berth/contracts';
import { api, queryString, type TPageOf } from '../api';

/** EventFilter is GET /events's query: `kind` keeps one kind of action (`site` → site.*), `actor` one actor (`user:<id>`, `system`…). */
export interface EventFilter {
  tenantId?: string;
  action?: string;
  kind?: string;
  actor?: string;
  targetId?: string;
  result?: 'ok' | 'error';
  limit?: number;
  offset?: number;
}

/** useEvents pages through the audit trail, newest first; `pollMs` keeps a live view refreshing. */
export function useEvents(filter: EventFilter, options: { pollMs?: number | false } = {}) {
  return useQuery({
    queryKey: ['events', filter],
    queryFn: () => api<TPageOf<TEvent>>('GET', `/events${queryString({ ...filter })}`),
    placeholderData: keepPreviousData,
    refetchInterval: options.pollMs ?? false,
  });
}

import { useQuery } from '@tanstack/react-query';
import type { TTenantUsage } from '@berth/contracts';
import { api } from '../api';

/** USAGE_POLL_MS: disk and bandwidth grow without any action in the console; the home re-reads them now and then. */
const USAGE_POLL_MS = 60_000;

/** useTenantUsage reads an account against its plan (GET /tenants/{id}/usage): counts, disk and this month's bandwidth. */
export function useTenantUsage(tenantId: string | null | undefined) {
  return useQuery({
    queryKey: ['usage', tenantId],
    queryFn: () => api<TTenantUsage>('GET', `/tenants/${encodeURIComponent(tenantId ?? '')}/usage`),
    enabled: Boolean(tenantId),
    refetchInterval: USAGE_POLL_MS,
  });
}

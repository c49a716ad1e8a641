import { useQuery } from '@tanstack/react-query';
import { api } from '../../api';

/**
 * PanelHealth is what GET /api/v1/health answers. Today it is `{ ok: true }`; the per-component part
 * (Caddy, Docker) is optional until the API reports it, and contracts has no schema for it yet.
 */
export interface PanelHealth {
  ok: boolean;
  components?: Record<string, { ok: boolean; message?: string }>;
}

/** useHealth polls the panel's health every 15 s while the dashboard is open. */
export function useHealth() {
  return useQuery({ queryKey: ['health'], queryFn: () => api<PanelHealth>('GET', '/health'), refetchInterval: 15_000 });
}

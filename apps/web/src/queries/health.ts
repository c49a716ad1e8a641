import { useQuery } from '@tanstack/react-query';
import type { TSystemHealth } from '@berth/contracts';
import { api } from '../api';

/** PanelHealth is what GET /api/v1/system/health answers: database, Docker engine, edge and reconciler. */
export type PanelHealth = TSystemHealth;

/** useHealth polls the system's health every 15 s while the (administrator's) dashboard is open. */
export function useHealth() {
  return useQuery({
    queryKey: ['health'],
    queryFn: () => api<PanelHealth>('GET', '/system/health'),
    refetchInterval: 15_000,
  });
}

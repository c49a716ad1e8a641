import type { PlanModel } from '@berth/db';
import { ZPlan, type TPlan, type ZCreatePlanRequest, type ZUpdatePlanRequest } from '@berth/contracts';
import type { z } from 'zod';

type PlanRow = PlanModel & { _count?: { tenants: number } };

/**
 * egressAllowOf reads Plan.egressAllow (a JSON array the API validated). The runtime checks every entry again
 * before it becomes a rule, so anything that is not an array of strings is handed on as one entry, which that
 * tenant's pass then refuses with its text in the message.
 */
function egressAllowOf(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined; // not JSON: reported below as the entry itself
  }
  return Array.isArray(value) && value.every((e) => typeof e === 'string') ? value : [text];
}

/**
 * toPlan is the one reading of a Plan row, through ZPlan: its JSON columns (PHP versions, egress allow-list)
 * are parsed here and nowhere else. `tenantCount` is the row's `_count.tenants` when it was loaded, else 0.
 */
export function toPlan(row: PlanRow): TPlan {
  return ZPlan.parse({
    ...row,
    phpVersions: JSON.parse(row.phpVersions),
    egressAllow: egressAllowOf(row.egressAllow),
    tenantCount: row._count?.tenants ?? 0,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  });
}

/** planColumns is a validated plan as the Plan row stores it (lists as JSON text); toPlan reads it back. */
export function planColumns(data: z.output<typeof ZCreatePlanRequest>) {
  return {
    ...data,
    phpVersions: JSON.stringify(data.phpVersions),
    egressAllow: JSON.stringify(data.egressAllow ?? []),
  };
}

/** planUpdateColumns is a validated plan change as the Plan row stores it: only the fields it names. */
export function planUpdateColumns(data: z.output<typeof ZUpdatePlanRequest>) {
  return {
    ...data,
    phpVersions: data.phpVersions ? JSON.stringify(data.phpVersions) : undefined,
    egressAllow: data.egressAllow ? JSON.stringify(data.egressAllow) : undefined,
  };
}

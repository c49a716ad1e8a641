import { useState } from 'react';
import { Select } from '@mantine/core';
import { useTenant, useTenants } from '../../queries/tenants';

/**
 * useTenantChoice says whose database or user a form creates, and that tenant's slug (the name prefix): an
 * operator picks the tenant (pre-selected when the page is narrowed to one), an account owner creates in their
 * own account.
 */
export function useTenantChoice({ chooseTenant, tenantId }: { chooseTenant: boolean; tenantId?: string }) {
  const tenants = useTenants({ limit: 500 }, { enabled: chooseTenant });
  const own = useTenant(chooseTenant ? undefined : tenantId);
  const [picked, setPicked] = useState<string | null>(chooseTenant ? (tenantId ?? null) : null);
  const slug = chooseTenant ? tenants.data?.items.find((t) => t.id === picked)?.slug : own.data?.slug;
  const options = (tenants.data?.items ?? []).map((t) => ({ value: t.id, label: `${t.slug} — ${t.name}` }));
  return {
    chooseTenant,
    /** The tenant the request names: the picked one for operators, none for account owners (the API uses theirs). */
    tenantId: chooseTenant ? (picked ?? undefined) : tenantId,
    picked,
    setPicked,
    slug,
    options,
    loading: tenants.isPending && chooseTenant,
  };
}

export type TenantChoice = ReturnType<typeof useTenantChoice>;

/** TenantSelect is the operator's required Tenant field of the create forms (nothing for account owners). */
export function TenantSelect({ choice, error }: { choice: TenantChoice; error?: string }) {
  if (!choice.chooseTenant) return null;
  return (
    <Select
      label="Tenant"
      placeholder="Pick a tenant"
      searchable
      required
      data={choice.options}
      value={choice.picked}
      onChange={choice.setPicked}
      error={error}
      nothingFoundMessage={choice.loading ? 'Loading tenants…' : 'No tenant matches'}
    />
  );
}

import { useState, type FormEvent } from 'react';
import { Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { RUNTIME_KINDS, ZCreateSiteRequest, type TRuntimeKind, type TSite } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { QueryState } from '../../ui/QueryState';
import { usePlans } from '../../queries/plans';
import { useTenant, useTenants } from '../../queries/tenants';
import { useCreateSite, useRuntimeCatalog } from '../../queries/sites';

const FIELDS = ['tenantId', 'name', 'runtime.kind', 'runtime.version'] as const;
const CODE_FIELDS = { SITE_NAME_TAKEN: 'name', VERSION_NOT_ALLOWED: 'runtime.version' };

function isRuntimeKind(value: string | null): value is TRuntimeKind {
  return (RUNTIME_KINDS as readonly (string | null)[]).includes(value);
}

export interface CreateSiteFormProps {
  /** Operators pick the tenant; account owners create sites in their own account. */
  chooseTenant: boolean;
  /** Pre-selected tenant (an operator creating a site from a tenant's page). */
  tenantId?: string;
  onCreated: (site: TSite) => void;
  onCancel?: () => void;
}

/** CreateSiteForm creates a site from the runtime catalog; PHP versions outside the tenant's plan are offered disabled. */
export function CreateSiteForm({ chooseTenant, tenantId: fixedTenant, onCreated, onCancel }: CreateSiteFormProps) {
  const catalog = useRuntimeCatalog();
  const plans = usePlans();
  const tenants = useTenants({ limit: 500 }, { enabled: chooseTenant });
  const [name, setName] = useState('');
  const [kind, setKind] = useState<TRuntimeKind>('php');
  const [version, setVersion] = useState<string | null>(null);
  const [tenantId, setTenantId] = useState<string | null>(fixedTenant ?? null);
  const form = useFormErrors(ZCreateSiteRequest, { fields: FIELDS, codeFields: CODE_FIELDS });
  const create = useCreateSite();

  const fixed = useTenant(fixedTenant);
  const planId = (chooseTenant ? tenants.data?.items.find((t) => t.id === tenantId) : fixed.data)?.planId;
  // An account owner sees only their own plan; an operator sees them all and picks the tenant's.
  const plan =
    plans.data?.items.find((p) => p.id === planId) ?? (chooseTenant || fixedTenant ? undefined : plans.data?.items[0]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({
      ...(chooseTenant || fixedTenant ? { tenantId: tenantId ?? '' } : {}),
      name,
      runtime: { kind, ...(version ? { version } : {}) },
    });
    if (input) create.mutate(input, { onSuccess: onCreated, onError: form.showServerError });
  }

  return (
    <QueryState query={catalog} label="the runtime catalog">
      {(runtimes) => {
        const entry = runtimes.kinds.find((k) => k.kind === kind);
        const versions = (entry?.versions ?? []).map((v) => {
          const outsidePlan = kind === 'php' && plan !== undefined && !plan.phpVersions.includes(v);
          return { value: v, label: outsidePlan ? `${v} (not in the plan)` : v, disabled: outsidePlan };
        });
        return (
          <form onSubmit={submit} noValidate aria-label="Create site">
            <Stack>
              <FormAlert message={form.formError} />
              {chooseTenant && (
                <Select
                  label="Tenant"
                  placeholder="Pick a tenant"
                  searchable
                  required
                  data={(tenants.data?.items ?? []).map((t) => ({ value: t.id, label: `${t.slug} — ${t.name}` }))}
                  value={tenantId}
                  onChange={setTenantId}
                  error={form.errors.tenantId}
                  nothingFoundMessage={tenants.isPending ? 'Loading tenants…' : 'No tenant matches'}
                />
              )}
              <TextInput
                label="Site name"
                description="Lowercase letters, digits and hyphens; used in container and folder names."
                required
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                error={form.errors.name}
                data-autofocus
              />
              <Group grow align="flex-start">
                <Select
                  label="Runtime"
                  required
                  allowDeselect={false}
                  data={runtimes.kinds.map((k) => ({ value: k.kind, label: k.label }))}
                  value={kind}
                  onChange={(value) => {
                    if (isRuntimeKind(value)) {
                      setKind(value);
                      setVersion(null);
                    }
                  }}
                  error={form.errors['runtime.kind']}
                />
                <Select
                  label="Version"
                  placeholder={entry ? `Default (${entry.defaultVersion})` : undefined}
                  data={versions}
                  value={version}
                  onChange={setVersion}
                  clearable
                  error={form.errors['runtime.version']}
                />
              </Group>
              <Group justify="flex-end">
                {onCancel && (
                  <Button variant="default" onClick={onCancel}>
                    Cancel
                  </Button>
                )}
                <Button type="submit" loading={create.isPending}>
                  Create site
                </Button>
              </Group>
            </Stack>
          </form>
        );
      }}
    </QueryState>
  );
}

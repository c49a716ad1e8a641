import { useState, type FormEvent } from 'react';
import { Button, Group, Select, SimpleGrid, Stack, Switch, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  WEBSERVER_KINDS,
  ZUpdateTenantRequest,
  type TTenant,
  type TUpdateTenantRequest,
  type TWebserverKind,
} from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { usePlans } from '../../queries/plans';
import { useUpdateTenant } from '../../queries/tenants';

const FIELDS = ['name', 'planId', 'webserver', 'varnishEnabled'] as const;

/** TenantEditForm changes a tenant's name, plan, webserver and Varnish; only changed fields are sent. */
export function TenantEditForm({ tenant }: { tenant: TTenant }) {
  const plans = usePlans();
  const [name, setName] = useState(tenant.name);
  const [planId, setPlanId] = useState(tenant.planId);
  const [webserver, setWebserver] = useState<TWebserverKind>(tenant.webserver);
  const [varnish, setVarnish] = useState(tenant.varnishEnabled);
  const form = useFormErrors(ZUpdateTenantRequest, { fields: FIELDS });
  const update = useUpdateTenant(tenant.id);

  const changes: TUpdateTenantRequest = {
    ...(name !== tenant.name ? { name } : {}),
    ...(planId !== tenant.planId ? { planId } : {}),
    ...(webserver !== tenant.webserver ? { webserver } : {}),
    ...(varnish !== tenant.varnishEnabled ? { varnishEnabled: varnish } : {}),
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate(changes);
    if (!input) return;
    update.mutate(input, {
      onSuccess: () => notifications.show({ color: 'green', message: `${tenant.slug} saved.` }),
      onError: form.showServerError,
    });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Edit tenant">
      <Stack gap="sm">
        <FormAlert message={form.formError} />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={form.errors.name}
          />
          <Select
            label="Plan"
            allowDeselect={false}
            data={(plans.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
            value={planId}
            onChange={(v) => v && setPlanId(v)}
            error={form.errors.planId}
          />
          <Select
            label="Webserver"
            allowDeselect={false}
            data={[...WEBSERVER_KINDS]}
            value={webserver}
            onChange={(v) => v && setWebserver(v as TWebserverKind)}
            error={form.errors.webserver}
          />
        </SimpleGrid>
        <Switch
          label="Varnish cache in front of the account's sites"
          checked={varnish}
          onChange={(e) => setVarnish(e.currentTarget.checked)}
          error={form.errors.varnishEnabled}
        />
        <Group>
          <Button type="submit" disabled={Object.keys(changes).length === 0} loading={update.isPending}>
            Save changes
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

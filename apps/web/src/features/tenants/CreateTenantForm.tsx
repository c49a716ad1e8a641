import { useState, type FormEvent } from 'react';
import { Button, Group, Select, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { WEBSERVER_KINDS, ZCreateTenantRequest, type TTenant, type TWebserverKind } from '@berth/contracts';
import { PasswordField } from '../../ui/PasswordField';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { usePlans } from '../../queries/plans';
import { useCreateTenant } from '../../queries/tenants';

const FIELDS = ['slug', 'name', 'planId', 'webserver', 'owner.email', 'owner.password'] as const;
const CODE_FIELDS = { SLUG_TAKEN: 'slug', EMAIL_TAKEN: 'owner.email' };

/** CreateTenantForm opens a hosting account on a plan, with the owner user who signs in to it. */
export function CreateTenantForm({
  onCreated,
  onCancel,
}: {
  onCreated: (tenant: TTenant) => void;
  onCancel: () => void;
}) {
  const plans = usePlans();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [planId, setPlanId] = useState<string | null>(null);
  const [webserver, setWebserver] = useState<TWebserverKind>('nginx');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const form = useFormErrors(ZCreateTenantRequest, { fields: FIELDS, codeFields: CODE_FIELDS });
  const create = useCreateTenant();

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ slug, name, ...(planId ? { planId } : {}), webserver, owner: { email, password } });
    if (input) create.mutate(input, { onSuccess: onCreated, onError: form.showServerError });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Create tenant">
      <Stack gap="sm">
        <FormAlert message={form.formError} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Slug"
            description="Short name: lowercase letters, digits, hyphens."
            required
            value={slug}
            onChange={(e) => setSlug(e.currentTarget.value)}
            error={form.errors.slug}
            data-autofocus
          />
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={form.errors.name}
          />
          <Select
            label="Plan"
            placeholder={plans.isPending ? 'Loading plans…' : 'Oldest plan'}
            clearable
            data={(plans.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
            value={planId}
            onChange={setPlanId}
            error={form.errors.planId ?? (plans.isError ? 'Plans could not be loaded.' : undefined)}
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
        <Title order={3} size="h5" mt="xs">
          Owner
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Owner email"
            type="email"
            autoComplete="off"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={form.errors['owner.email']}
          />
          <PasswordField
            label="Owner password"
            description="At least 12 characters."
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={form.errors['owner.password']}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create tenant
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

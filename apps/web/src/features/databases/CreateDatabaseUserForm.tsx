import { useState, type FormEvent } from 'react';
import { Button, Group, MultiSelect, Select, Stack, TextInput } from '@mantine/core';
import { ZCreateDatabaseUserRequest, type TDatabaseEngine, type TDatabaseUserWithPassword } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { PasswordField } from '../../ui/PasswordField';
import { useCreateDatabaseUser, useDatabases } from '../../queries/databases';
import { ENGINE_LABELS, ENGINE_OPTIONS, isEngine } from './databaseLabels';
import { NamePreview } from './NamePreview';
import { TenantSelect, useTenantChoice } from './TenantChoice';

const FIELDS = ['tenantId', 'engine', 'name', 'password', 'databaseIds'] as const;
const CODE_FIELDS = { DATABASE_NAME_TAKEN: 'name' };

export interface CreateDatabaseUserFormProps {
  /** Operators pick the tenant; account owners create users in their own account. */
  chooseTenant: boolean;
  tenantId?: string;
  /** Gets the new user with its password (shown once). */
  onCreated: (created: TDatabaseUserWithPassword) => void;
  onCancel: () => void;
}

/** CreateDatabaseUserForm creates `<prefix>_<name>` with its own or a generated password and the databases it may use. */
export function CreateDatabaseUserForm({ chooseTenant, tenantId, onCreated, onCancel }: CreateDatabaseUserFormProps) {
  const tenant = useTenantChoice({ chooseTenant, tenantId });
  const [engine, setEngine] = useState<TDatabaseEngine>('mariadb');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [databaseIds, setDatabaseIds] = useState<string[]>([]);
  const form = useFormErrors(ZCreateDatabaseUserRequest, { fields: FIELDS, codeFields: CODE_FIELDS });
  const create = useCreateDatabaseUser();
  // An operator sees every tenant's databases: offer only the chosen tenant's, on this engine.
  const databases = useDatabases(chooseTenant ? { tenantId: tenant.tenantId } : {});
  const grantable = (databases.data?.items ?? []).filter(
    (d) => d.engine === engine && (!chooseTenant || d.tenantId === tenant.tenantId),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({
      ...(chooseTenant ? { tenantId: tenant.tenantId ?? '' } : {}),
      engine,
      name: name.trim(),
      ...(password ? { password } : {}),
      databaseIds,
    });
    if (!input) return;
    create.mutate(input, { onSuccess: onCreated, onError: form.showServerError });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Create database user">
      <Stack>
        <FormAlert message={form.formError} />
        <TenantSelect
          choice={{
            ...tenant,
            setPicked: (value) => {
              tenant.setPicked(value);
              setDatabaseIds([]);
            },
          }}
          error={form.errors.tenantId}
        />
        <Select
          label="Engine"
          required
          allowDeselect={false}
          data={ENGINE_OPTIONS}
          value={engine}
          onChange={(value) => {
            if (!isEngine(value)) return;
            setEngine(value);
            setDatabaseIds([]);
          }}
          error={form.errors.engine}
        />
        <TextInput
          label="User name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          description={<NamePreview slug={tenant.slug} name={name} chooseTenant={chooseTenant} />}
          error={form.errors.name}
          autoComplete="off"
          spellCheck={false}
          data-autofocus
        />
        <PasswordField
          label="Password"
          description="Leave it empty to get a generated one. Either way it is shown once, right after creation."
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={form.errors.password}
          autoComplete="new-password"
        />
        <MultiSelect
          label="Databases it may use"
          placeholder={grantable.length === 0 ? `No ${ENGINE_LABELS[engine]} database yet` : 'Pick databases'}
          data={grantable.map((d) => ({ value: d.id, label: d.name }))}
          value={databaseIds}
          onChange={setDatabaseIds}
          searchable
          clearable
          error={form.errors.databaseIds}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

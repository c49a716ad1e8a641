import { useState, type FormEvent } from 'react';
import { Button, Checkbox, Group, Select, Stack, TextInput } from '@mantine/core';
import {
  DATABASE_NAME_SUFFIX_MAX,
  ZCreateDatabaseRequest,
  type TCreatedDatabase,
  type TDatabaseEngine,
} from '@berth/contracts';
import { ApiError } from '../../api';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { useCreateDatabase } from '../../queries/databases';
import { ENGINE_OPTIONS, isEngine } from './databaseLabels';
import { NamePreview } from './NamePreview';
import { TenantSelect, useTenantChoice } from './TenantChoice';

const FIELDS = ['tenantId', 'engine', 'name', 'user'] as const;
const CODE_FIELDS = { DATABASE_NAME_TAKEN: 'name' };

/**
 * ZCreateDatabaseForm is the request schema plus the one rule of the server the form can check first: on
 * PostgreSQL a database and its users share one namespace of roles, so the user cannot have the database's name.
 */
const ZCreateDatabaseForm = ZCreateDatabaseRequest.refine(
  (input) => !(input.engine === 'postgresql' && input.user !== undefined && input.user === input.name),
  { path: ['user'], message: 'On PostgreSQL a user cannot have its database’s name; choose another.' },
);

/** defaultUserName is the new user's name until it is edited: the database's, or on PostgreSQL `<name>user`. */
function defaultUserName(engine: TDatabaseEngine, name: string): string {
  const trimmed = name.trim();
  if (engine !== 'postgresql' || !trimmed) return trimmed;
  return `${trimmed.slice(0, DATABASE_NAME_SUFFIX_MAX - 4)}user`;
}

/**
 * issuesFirst: DATABASE_NAME_TAKEN names the taken field in its issues (`name`, or `user` for the new user's
 * name); the code table is only for an answer without issues, so a taken user name never also marks the database.
 */
function issuesFirst(error: unknown): unknown {
  if (error instanceof ApiError && error.code === 'DATABASE_NAME_TAKEN' && error.issues.length > 0)
    return new ApiError(error.status, 'VALIDATION_FAILED', error.message, error.issues);
  return error;
}

export interface CreateDatabaseFormProps {
  /** Operators pick the tenant; account owners create databases in their own account. */
  chooseTenant: boolean;
  /** The account owner's tenant (for its prefix), or the operator's pre-selected one. */
  tenantId?: string;
  /** Gets the new database and, when one was asked for, its user with the password (shown once). */
  onCreated: (created: TCreatedDatabase) => void;
  onCancel: () => void;
}

/** CreateDatabaseForm creates `<prefix>_<name>` on MariaDB or PostgreSQL, optionally with a user of its own. */
export function CreateDatabaseForm({ chooseTenant, tenantId, onCreated, onCancel }: CreateDatabaseFormProps) {
  const tenant = useTenantChoice({ chooseTenant, tenantId });
  const [engine, setEngine] = useState<TDatabaseEngine>('mariadb');
  const [name, setName] = useState('');
  const [withUser, setWithUser] = useState(true);
  // null: the user's name follows the database's until someone edits it.
  const [userName, setUserName] = useState<string | null>(null);
  const form = useFormErrors(ZCreateDatabaseForm, { fields: FIELDS, codeFields: CODE_FIELDS });
  const create = useCreateDatabase();
  const user = userName ?? defaultUserName(engine, name);

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({
      ...(chooseTenant ? { tenantId: tenant.tenantId ?? '' } : {}),
      engine,
      name: name.trim(),
      ...(withUser ? { user: user.trim() } : {}),
    });
    if (!input) return;
    create.mutate(input, { onSuccess: onCreated, onError: (error) => form.showServerError(issuesFirst(error)) });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Create database">
      <Stack>
        <FormAlert message={form.formError} />
        <TenantSelect choice={tenant} error={form.errors.tenantId} />
        <Select
          label="Engine"
          required
          allowDeselect={false}
          data={ENGINE_OPTIONS}
          value={engine}
          onChange={(value) => isEngine(value) && setEngine(value)}
          error={form.errors.engine}
        />
        <TextInput
          label="Database name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          description={<NamePreview slug={tenant.slug} name={name} chooseTenant={chooseTenant} />}
          error={form.errors.name}
          autoComplete="off"
          spellCheck={false}
          data-autofocus
        />
        <Checkbox
          label="Also create a user that may use this database"
          description="Its password is shown once, right after creation."
          checked={withUser}
          onChange={(e) => setWithUser(e.currentTarget.checked)}
        />
        {withUser && (
          <TextInput
            label="User name"
            required
            value={user}
            onChange={(e) => setUserName(e.currentTarget.value)}
            description={<NamePreview slug={tenant.slug} name={user} chooseTenant={chooseTenant} />}
            error={form.errors.user}
            autoComplete="off"
            spellCheck={false}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create database
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

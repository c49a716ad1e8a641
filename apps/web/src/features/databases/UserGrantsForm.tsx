import { useState, type FormEvent } from 'react';
import { Button, Group, MultiSelect, Stack } from '@mantine/core';
import { ZSetDatabaseUserGrantsRequest, type TDatabase, type TDatabaseUser } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { useSetDatabaseUserGrants } from '../../queries/databases';
import { ENGINE_LABELS } from './databaseLabels';

const FIELDS = ['databaseIds'] as const;

/**
 * UserGrantsForm sets which databases a user may use: any of its tenant's databases on the same engine (the
 * API refuses the others), replacing what it had.
 */
export function UserGrantsForm({
  user,
  databases,
  onDone,
}: {
  user: TDatabaseUser;
  /** Every database the page knows; only the user's tenant's on its engine are offered. */
  databases: readonly TDatabase[];
  onDone: () => void;
}) {
  const [databaseIds, setDatabaseIds] = useState(() => user.databases.map((d) => d.id));
  const form = useFormErrors(ZSetDatabaseUserGrantsRequest, { fields: FIELDS });
  const save = useSetDatabaseUserGrants();
  const grantable = databases.filter((d) => d.tenantId === user.tenantId && d.engine === user.engine);

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ databaseIds });
    if (!input) return;
    save.mutate({ id: user.id, body: input }, { onSuccess: onDone, onError: form.showServerError });
  }

  return (
    <form onSubmit={submit} noValidate aria-label={`Databases of ${user.name}`}>
      <Stack>
        <FormAlert message={form.formError} />
        <MultiSelect
          label={`Databases ${user.name} may use`}
          description={`Its account’s ${ENGINE_LABELS[user.engine]} databases. Leave it empty to take them all away.`}
          placeholder={grantable.length === 0 ? `No ${ENGINE_LABELS[user.engine]} database yet` : 'Pick databases'}
          data={grantable.map((d) => ({ value: d.id, label: d.name }))}
          value={databaseIds}
          onChange={setDatabaseIds}
          searchable
          clearable
          error={form.errors.databaseIds}
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            Save databases
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

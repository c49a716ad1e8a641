import { useState } from 'react';
import { Alert, Button, Group, Modal, Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { TDatabase, TDatabaseUser } from '@berth/contracts';
import { ApiError } from '../../api';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { EmptyNote, errorText } from '../../ui/QueryState';
import { useDatabaseAdminLogin, useDeleteDatabaseUser } from '../../queries/databases';
import { ADMIN_TOOLS } from './databaseLabels';
import { EngineBadge } from './DatabasesTable';
import type { ShownPassword } from './DatabasePassword';
import { SetPasswordForm } from './SetPasswordForm';
import { UserGrantsForm } from './UserGrantsForm';

export interface DatabaseUsersTableProps {
  users: readonly TDatabaseUser[];
  /** The databases the page lists, offered when a user's databases are edited. */
  databases: readonly TDatabase[];
  /** Tenant slugs by id, to show whose a user is (operators only). */
  tenants?: Map<string, string>;
  /** Operators are told which setting turns phpMyAdmin and Adminer on; account owners to ask for it. */
  operator: boolean;
  empty: string;
  /** Gets a new password the one time the API answers it. */
  onPassword: (shown: ShownPassword) => void;
}

/** adminLoginError says in plain words why phpMyAdmin or Adminer did not open. */
function adminLoginError(error: unknown, operator: boolean): string {
  if (error instanceof ApiError && error.code === 'DB_ADMIN_NOT_CONFIGURED') {
    return operator
      ? 'phpMyAdmin and Adminer are not set up on this panel. Set BERTH_DB_ADMIN_HOST to the name they are served on to turn them on.'
      : 'phpMyAdmin and Adminer are not set up on this panel. Ask your hosting provider to turn them on.';
  }
  return errorText(error);
}

function Databases({ user }: { user: TDatabaseUser }) {
  if (user.databases.length === 0)
    return (
      <Text size="sm" c="dimmed">
        none
      </Text>
    );
  return (
    <Stack gap={0}>
      {user.databases.map((d) => (
        <Text key={d.id} size="sm" className="mono">
          {d.name}
        </Text>
      ))}
    </Stack>
  );
}

/**
 * DatabaseUsersTable lists database users with the databases each may use (as cards on a phone, so the actions
 * stay in view): open phpMyAdmin or Adminer as the user (a one-time link, in a new tab), change its databases,
 * set a new password (shown once) and delete it.
 */
export function DatabaseUsersTable(props: DatabaseUsersTableProps) {
  const { users, databases, tenants, operator, empty, onPassword } = props;
  const phone = useMediaQuery('(max-width: 36em)');
  const login = useDatabaseAdminLogin();
  const remove = useDeleteDatabaseUser();
  const [granting, setGranting] = useState<TDatabaseUser | null>(null);
  const [rotating, setRotating] = useState<TDatabaseUser | null>(null);
  const [deleting, setDeleting] = useState<TDatabaseUser | null>(null);
  const tenantOf = (u: TDatabaseUser) => tenants?.get(u.tenantId) ?? u.tenantId;

  function openAdmin(user: TDatabaseUser) {
    login.mutate(
      { id: user.id },
      // The link signs in once and expires within minutes; noopener keeps the tool from reaching back to the console.
      { onSuccess: (link) => window.open(link.url, '_blank', 'noopener') },
    );
  }

  const actions = (user: TDatabaseUser) => {
    const tool = ADMIN_TOOLS[user.engine];
    return (
      <Group gap={4}>
        <Button
          size="xs"
          variant="light"
          loading={login.isPending && login.variables?.id === user.id}
          onClick={() => openAdmin(user)}
          aria-label={`Open ${tool} as ${user.name}`}
        >
          Open {tool}
        </Button>
        <Button
          size="xs"
          variant="subtle"
          onClick={() => setGranting(user)}
          aria-label={`Edit databases of ${user.name}`}
        >
          Edit databases
        </Button>
        <Button
          size="xs"
          variant="subtle"
          onClick={() => setRotating(user)}
          aria-label={`New password for ${user.name}`}
        >
          New password
        </Button>
        <Button
          size="xs"
          variant="subtle"
          color="red"
          onClick={() => setDeleting(user)}
          aria-label={`Delete ${user.name}`}
        >
          Delete
        </Button>
      </Group>
    );
  };

  let list;
  if (users.length === 0) list = <EmptyNote>{empty}</EmptyNote>;
  else if (phone)
    list = (
      <Stack gap="sm" role="list" aria-label="Database users" data-testid="database-users-table">
        {users.map((user) => (
          <Paper key={user.id} withBorder p="sm" role="listitem" data-user-name={user.name}>
            <Group justify="space-between" wrap="nowrap">
              <Text fw={600} className="mono">
                {user.name}
              </Text>
              <EngineBadge engine={user.engine} />
            </Group>
            {tenants && (
              <Text size="sm" c="dimmed">
                Tenant {tenantOf(user)}
              </Text>
            )}
            <Text size="sm" mt={4}>
              Databases:
            </Text>
            <Databases user={user} />
            <Group mt="xs">{actions(user)}</Group>
          </Paper>
        ))}
      </Stack>
    );
  else
    list = (
      <Table.ScrollContainer minWidth={720}>
        <Table striped aria-label="Database users" data-testid="database-users-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">User</Table.Th>
              <Table.Th scope="col">Engine</Table.Th>
              {tenants && <Table.Th scope="col">Tenant</Table.Th>}
              <Table.Th scope="col">Databases</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.map((user) => (
              <Table.Tr key={user.id} data-user-name={user.name}>
                <Table.Td>
                  <Text size="sm" fw={600} className="mono">
                    {user.name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <EngineBadge engine={user.engine} />
                </Table.Td>
                {tenants && <Table.Td>{tenantOf(user)}</Table.Td>}
                <Table.Td>
                  <Databases user={user} />
                </Table.Td>
                <Table.Td>{actions(user)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    );

  return (
    <Stack>
      {login.isError && (
        <Alert color="red" variant="light" role="alert" withCloseButton onClose={login.reset}>
          {adminLoginError(login.error, operator)}
        </Alert>
      )}
      {list}
      <Modal
        opened={granting !== null}
        onClose={() => setGranting(null)}
        title={`Databases of ${granting?.name ?? ''}`}
      >
        {granting && <UserGrantsForm user={granting} databases={databases} onDone={() => setGranting(null)} />}
      </Modal>
      <Modal
        opened={rotating !== null}
        onClose={() => setRotating(null)}
        title={`New password for ${rotating?.name ?? ''}`}
      >
        {rotating && (
          <SetPasswordForm
            user={rotating}
            onCancel={() => setRotating(null)}
            onChanged={(changed) => {
              setRotating(null);
              onPassword({ user: changed.name, password: changed.password });
            }}
          />
        )}
      </Modal>
      <ConfirmModal
        key={deleting?.id ?? 'none'}
        opened={deleting !== null}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        title={`Delete the user ${deleting?.name ?? ''}?`}
        confirmLabel="Delete user"
        pending={remove.isPending}
        error={remove.error ? errorText(remove.error) : null}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        Apps that sign in as this user stop connecting. Its databases and their data stay.
      </ConfirmModal>
    </Stack>
  );
}

import { useMemo, useState } from 'react';
import { Button, Group, Modal, Select, Stack, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { useDatabases, useDatabaseUsers } from '../../queries/databases';
import { usePlan } from '../../queries/plans';
import { useUser } from '../../queries/session';
import { useTenant, useTenants } from '../../queries/tenants';
import { ConnectionInfo } from './ConnectionInfo';
import { CreateDatabaseForm } from './CreateDatabaseForm';
import { CreateDatabaseUserForm } from './CreateDatabaseUserForm';
import { DatabasePassword, type ShownPassword } from './DatabasePassword';
import { DatabasesTable } from './DatabasesTable';
import { DatabaseUsersTable } from './DatabaseUsersTable';

/** DatabasesPage is the Databases view of the signed-in user: their account's, or every tenant's for operators. */
export function DatabasesPage() {
  const user = useUser();
  return <DatabasesPanel operator={user.role === 'admin'} tenantId={user.tenantId ?? undefined} />;
}

export interface DatabasesPanelProps {
  /** Operators see every tenant's databases (or pick one tenant) and name the tenant when creating. */
  operator: boolean;
  /** The account owner's tenant: its slug is the prefix of every name, its plan the number allowed. */
  tenantId?: string;
}

/** usePlanUsage says how many of the plan's databases an account owner has used. */
function usePlanUsage(tenantId: string | undefined, count: number | undefined): string | null {
  const tenant = useTenant(tenantId);
  const plan = usePlan(tenant.data?.planId);
  if (count === undefined || !plan.data) return null;
  return `${count} of the ${plan.data.maxDatabases} databases of your plan used.`;
}

/**
 * DatabasesPanel lists MariaDB and PostgreSQL databases and their users, creates both (a new password is shown
 * once), deletes them, sets passwords and grants, and opens phpMyAdmin or Adminer as a user.
 */
export function DatabasesPanel({ operator, tenantId }: DatabasesPanelProps) {
  const [tenantFilter, setTenantFilter] = useState<string | undefined>();
  const filter = operator ? { tenantId: tenantFilter } : {};
  const databases = useDatabases(filter);
  const users = useDatabaseUsers(filter);
  const tenants = useTenants({ limit: 500 }, { enabled: operator });
  const slugs = useMemo(() => new Map((tenants.data?.items ?? []).map((t) => [t.id, t.slug])), [tenants.data]);
  const usage = usePlanUsage(operator ? undefined : tenantId, databases.data?.total);
  const [creating, setCreating] = useState<'database' | 'user' | null>(null);
  const [shown, setShown] = useState<ShownPassword | null>(null);
  // Operators looking at every tenant see whose each row is; narrowed to one tenant, the column says nothing new.
  const tenantColumn = operator && !tenantFilter ? slugs : undefined;
  const formTenant = operator ? tenantFilter : tenantId;
  const close = () => setCreating(null);

  return (
    <>
      <PageHeader
        title="Databases"
        description={
          operator
            ? 'Every tenant’s MariaDB and PostgreSQL databases and their users.'
            : ['MariaDB and PostgreSQL databases for your sites, and the users they sign in as.', usage]
                .filter(Boolean)
                .join(' ')
        }
        actions={
          <>
            <Button onClick={() => setCreating('database')}>Create database</Button>
            <Button variant="default" onClick={() => setCreating('user')}>
              Create user
            </Button>
          </>
        }
      />
      <Stack>
        {operator && (
          <Group gap="sm" align="flex-end">
            <Select
              label="Tenant"
              placeholder="Any tenant"
              clearable
              searchable
              w={220}
              data={(tenants.data?.items ?? []).map((t) => ({ value: t.id, label: t.slug }))}
              value={tenantFilter ?? null}
              onChange={(v) => setTenantFilter(v ?? undefined)}
            />
          </Group>
        )}
        {databases.data && <ConnectionInfo databases={databases.data.items} />}
        <section aria-labelledby="databases-heading">
          <Title order={2} size="h4" mb="sm" id="databases-heading">
            Databases
          </Title>
          <QueryState query={databases} label="databases">
            {(page) => (
              <DatabasesTable
                databases={page.items}
                tenants={tenantColumn}
                empty={tenantFilter ? 'This tenant has no database yet.' : 'No databases yet. Create one to start.'}
              />
            )}
          </QueryState>
        </section>
        <section aria-labelledby="database-users-heading">
          <Title order={2} size="h4" mb="sm" id="database-users-heading">
            Users
          </Title>
          <QueryState query={users} label="database users">
            {(page) => (
              <DatabaseUsersTable
                users={page.items}
                databases={databases.data?.items ?? []}
                tenants={tenantColumn}
                operator={operator}
                empty="No users yet. Create one with a database, or on its own."
                onPassword={setShown}
              />
            )}
          </QueryState>
        </section>
      </Stack>
      <Modal opened={creating === 'database'} onClose={close} title="Create database">
        <CreateDatabaseForm
          chooseTenant={operator}
          tenantId={formTenant}
          onCancel={close}
          onCreated={(created) => {
            close();
            if (created.user) setShown({ user: created.user.name, password: created.user.password });
            else notifications.show({ color: 'green', message: `${created.name} created.` });
          }}
        />
      </Modal>
      <Modal opened={creating === 'user'} onClose={close} title="Create database user">
        <CreateDatabaseUserForm
          chooseTenant={operator}
          tenantId={formTenant}
          onCancel={close}
          onCreated={(created) => {
            close();
            setShown({ user: created.name, password: created.password });
          }}
        />
      </Modal>
      <DatabasePassword shown={shown} onDone={() => setShown(null)} />
    </>
  );
}

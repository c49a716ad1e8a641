import { useMemo, useState } from 'react';
import { Button, Group, Modal, Select } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useNavigate } from 'react-router';
import { SITE_STATUSES, type TSiteStatus } from '@berth/contracts';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { useUser } from '../../queries/session';
import { useTenants } from '../../queries/tenants';
import { CreateSiteForm } from './CreateSiteForm';
import { SitesTable } from './SitesTable';
import { siteStatusLabel } from './siteStatus';
import { useSites } from '../../queries/sites';

/** SitesPage lists the account's sites (every site for operators), live while any of them is provisioning. */
export function SitesPage() {
  const user = useUser();
  const admin = user.role === 'admin';
  const navigate = useNavigate();
  const [status, setStatus] = useState<TSiteStatus | undefined>();
  const [tenantId, setTenantId] = useState<string | undefined>();
  const sites = useSites({ status, tenantId });
  const tenants = useTenants({ limit: 500 }, { enabled: admin });
  const tenantMap = useMemo(() => new Map((tenants.data?.items ?? []).map((t) => [t.id, t])), [tenants.data]);
  const [creating, { open, close }] = useDisclosure(false);

  return (
    <>
      <PageHeader
        title="Sites"
        description={admin ? 'Every tenant’s sites.' : 'Your sites and their status.'}
        actions={<Button onClick={open}>Create site</Button>}
      />
      <Group mb="md" gap="sm" align="flex-end">
        <Select
          label="Status"
          placeholder="Any status"
          clearable
          w={180}
          data={SITE_STATUSES.map((value) => ({ value, label: siteStatusLabel(value) }))}
          value={status ?? null}
          onChange={(v) => setStatus((v as TSiteStatus | null) ?? undefined)}
        />
        {admin && (
          <Select
            label="Tenant"
            placeholder="Any tenant"
            clearable
            searchable
            w={220}
            data={(tenants.data?.items ?? []).map((t) => ({ value: t.id, label: t.slug }))}
            value={tenantId ?? null}
            onChange={(v) => setTenantId(v ?? undefined)}
          />
        )}
      </Group>
      <QueryState query={sites} label="sites">
        {(page) => (
          <SitesTable
            sites={page.items}
            tenants={admin ? tenantMap : undefined}
            empty={status || tenantId ? 'No site matches these filters.' : 'No sites yet. Create one to get started.'}
          />
        )}
      </QueryState>
      <Modal opened={creating} onClose={close} title="Create site">
        <CreateSiteForm
          chooseTenant={admin}
          onCancel={close}
          onCreated={(site) => {
            close();
            void navigate(`/sites/${site.id}`);
          }}
        />
      </Modal>
    </>
  );
}

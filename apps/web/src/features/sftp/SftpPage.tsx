import { useState } from 'react';
import { Alert, Button, Group, Modal, Paper, Select, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { TSftpKey } from '@berth/contracts';
import { useUser } from '../../queries/session';
import { useRemoveSftpKey, useSetSftpEnabled, useSftp } from '../../queries/sftp';
import { useTenant, useTenants } from '../../queries/tenants';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyNote, errorText, QueryState } from '../../ui/QueryState';
import { AddSftpKeyForm } from './AddSftpKeyForm';
import { SftpConnection } from './SftpConnection';
import { SftpKeysTable } from './SftpKeysTable';
import { SftpPasswordForm } from './SftpPasswordForm';
import { sftpState } from './sftpStatus';

/** SftpPage is the SFTP view of the signed-in user: their account's login, or a picked tenant's for operators. */
export function SftpPage() {
  const user = useUser();
  return <SftpPanel operator={user.role === 'admin'} tenantId={user.tenantId ?? undefined} />;
}

export interface SftpPanelProps {
  /** Operators pick the tenant whose login they manage (the API's `tenantId`). */
  operator: boolean;
  /** The account owner's tenant, to tell whether it is suspended. */
  tenantId?: string;
}

/**
 * SftpPanel shows how to reach the account's files over SFTP and whether that works now, turns the login on
 * and off, sets its password (a generated one is shown once) and manages the SSH keys that may sign in.
 */
export function SftpPanel({ operator, tenantId }: SftpPanelProps) {
  const [picked, setPicked] = useState<string | null>(null);
  const tenants = useTenants({ limit: 500 }, { enabled: operator });
  // Operators name the tenant in every request; account owners never do (the API uses theirs).
  const named = operator ? (picked ?? undefined) : undefined;
  const access = useSftp(named, { enabled: !operator || picked !== null });
  const tenant = useTenant(operator ? picked : tenantId);
  const toggle = useSetSftpEnabled();
  const remove = useRemoveSftpKey();
  const [dialog, setDialog] = useState<'password' | 'key' | null>(null);
  const [removing, setRemoving] = useState<TSftpKey | null>(null);
  const close = () => setDialog(null);

  return (
    <>
      <PageHeader
        title="SFTP"
        description="Upload and manage your sites’ files with an SFTP client, with a password or an SSH key."
      />
      <Stack>
        {operator && (
          <Group gap="sm" align="flex-end">
            <Select
              label="Tenant"
              placeholder="Pick a tenant"
              searchable
              w={260}
              data={(tenants.data?.items ?? []).map((t) => ({ value: t.id, label: `${t.slug} — ${t.name}` }))}
              value={picked}
              onChange={setPicked}
              nothingFoundMessage={tenants.isPending ? 'Loading tenants…' : 'No tenant matches'}
            />
          </Group>
        )}
        {operator && picked === null ? (
          <EmptyNote>Pick a tenant to see and change its SFTP access.</EmptyNote>
        ) : (
          <QueryState query={access} label="SFTP access">
            {(data) => (
              <Stack>
                <SftpConnection access={data} state={sftpState(data, tenant.data?.status === 'suspended')} />
                <Paper withBorder p="md">
                  <Stack gap="sm">
                    <Switch
                      label="SFTP access"
                      description="When off, nobody can sign in over SFTP; the password and keys are kept."
                      checked={data.enabled}
                      disabled={toggle.isPending}
                      onChange={(e) =>
                        toggle.mutate({ ...(named ? { tenantId: named } : {}), enabled: e.currentTarget.checked })
                      }
                    />
                    {toggle.isError && (
                      <Alert color="red" variant="light" role="alert">
                        {errorText(toggle.error)}
                      </Alert>
                    )}
                    <Group justify="space-between" align="center">
                      <Text size="sm">
                        {data.hasPassword
                          ? 'A password is set.'
                          : 'No password is set: sign in with an SSH key, or set one.'}
                      </Text>
                      <Button variant="default" onClick={() => setDialog('password')}>
                        Set password
                      </Button>
                    </Group>
                  </Stack>
                </Paper>
                <section aria-labelledby="sftp-keys-heading">
                  <Group justify="space-between" mb="sm">
                    <Title order={2} size="h4" id="sftp-keys-heading">
                      SSH keys
                    </Title>
                    <Button variant="default" onClick={() => setDialog('key')}>
                      Add key
                    </Button>
                  </Group>
                  <SftpKeysTable keys={data.keys} onRemove={setRemoving} />
                </section>
                <Modal
                  opened={dialog === 'password'}
                  onClose={close}
                  closeOnClickOutside={false}
                  title="Set the SFTP password"
                  centered
                >
                  <SftpPasswordForm
                    tenantId={named}
                    login={data.login}
                    onCancel={close}
                    onDone={(generated) => {
                      close();
                      if (!generated) notifications.show({ color: 'green', message: 'SFTP password set.' });
                    }}
                  />
                </Modal>
              </Stack>
            )}
          </QueryState>
        )}
      </Stack>
      <Modal opened={dialog === 'key'} onClose={close} title="Add SSH key">
        <AddSftpKeyForm
          tenantId={named}
          onCancel={close}
          onAdded={(key) => {
            close();
            notifications.show({ color: 'green', message: `Key ${key.name} added.` });
          }}
        />
      </Modal>
      <ConfirmModal
        key={removing?.id ?? 'none'}
        opened={removing !== null}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        title={`Remove the key ${removing?.name ?? ''}?`}
        confirmLabel="Remove key"
        pending={remove.isPending}
        error={remove.error ? errorText(remove.error) : null}
        onConfirm={() => removing && remove.mutate(removing.id, { onSuccess: () => setRemoving(null) })}
      >
        It can no longer be used to sign in over SFTP. The password and other keys keep working.
      </ConfirmModal>
    </>
  );
}

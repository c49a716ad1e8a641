import { useState } from 'react';
import { Button, Group, Text } from '@mantine/core';
import { useNavigate } from 'react-router';
import type { TTenant } from '@berth/contracts';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { errorText } from '../../ui/QueryState';
import { useSetSuspended, useTerminateTenant } from '../../queries/tenants';
import { SuspendTenantModal } from './SuspendTenantModal';

/**
 * TenantLifecycle suspends (with the reason its users will read), unsuspends and terminates an account;
 * terminating asks for the slug to be typed.
 */
export function TenantLifecycle({ tenant }: { tenant: TTenant }) {
  const navigate = useNavigate();
  const [asking, setAsking] = useState<'suspend' | 'terminate' | null>(null);
  const suspend = useSetSuspended(tenant.id);
  const terminate = useTerminateTenant(tenant.id);
  const close = () => {
    setAsking(null);
    suspend.reset();
    terminate.reset();
  };
  return (
    <>
      <Group>
        {tenant.status === 'active' ? (
          <Button color="orange" variant="outline" onClick={() => setAsking('suspend')}>
            Suspend
          </Button>
        ) : (
          <Button variant="outline" onClick={() => suspend.mutate({ suspend: false })} loading={suspend.isPending}>
            Unsuspend
          </Button>
        )}
        <Button color="red" variant="outline" onClick={() => setAsking('terminate')}>
          Terminate
        </Button>
      </Group>
      {suspend.isError && asking === null && (
        <Text c="red.8" role="alert" mt="xs">
          {errorText(suspend.error)}
        </Text>
      )}
      <SuspendTenantModal tenant={tenant} opened={asking === 'suspend'} onClose={close} />
      <ConfirmModal
        opened={asking === 'terminate'}
        onClose={close}
        title={`Terminate ${tenant.slug}?`}
        confirmLabel="Terminate tenant"
        typedConfirmation={tenant.slug}
        pending={terminate.isPending}
        error={terminate.error ? errorText(terminate.error) : null}
        onConfirm={() =>
          terminate.mutate(undefined, {
            onSuccess: () => {
              close();
              void navigate('/tenants');
            },
          })
        }
      >
        The account, its {tenant.siteCount} site(s), domains, users and tokens are deleted. This cannot be undone.
      </ConfirmModal>
    </>
  );
}

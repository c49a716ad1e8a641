import { useState } from 'react';
import { Button, Group, Modal } from '@mantine/core';
import type { TTenant } from '@berth/contracts';
import { useImpersonateTenant } from '../../queries/tenants';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { errorText } from '../../ui/QueryState';
import { ResetOwnerPasswordForm } from './ResetOwnerPasswordForm';

/**
 * TenantOperatorTools are the support actions on a tenant's page: sign in as the tenant's owner (for up to an
 * hour, every step recorded, back through the banner) and reset the owner's password. Both ask first.
 */
export function TenantOperatorTools({ tenant }: { tenant: TTenant }) {
  const [asking, setAsking] = useState<'impersonate' | 'password' | null>(null);
  const impersonate = useImpersonateTenant(tenant.id);
  const close = () => {
    setAsking(null);
    impersonate.reset();
  };
  const noOwner = tenant.ownerEmail === null;
  return (
    <>
      <Group>
        <Button variant="outline" disabled={noOwner} onClick={() => setAsking('impersonate')}>
          Sign in as this tenant
        </Button>
        <Button variant="outline" color="red" disabled={noOwner} onClick={() => setAsking('password')}>
          Reset owner password
        </Button>
      </Group>
      <ConfirmModal
        opened={asking === 'impersonate'}
        onClose={close}
        title={`Sign in as ${tenant.slug}?`}
        confirmLabel="Sign in as this tenant"
        pending={impersonate.isPending}
        error={impersonate.error ? errorText(impersonate.error) : null}
        onConfirm={() => impersonate.mutate()}
      >
        You will see the console as {tenant.ownerEmail} sees it and act with their rights, for up to an hour. It is
        recorded in the events, and the banner at the top takes you back to your account.
      </ConfirmModal>
      <Modal opened={asking === 'password'} onClose={close} title={`Reset the password of ${tenant.slug}'s owner`}>
        <ResetOwnerPasswordForm tenant={tenant} onDone={close} />
      </Modal>
    </>
  );
}

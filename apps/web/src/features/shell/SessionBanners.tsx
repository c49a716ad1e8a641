import { Alert, Button, Group, Text } from '@mantine/core';
import type { TSessionResponse } from '@berth/contracts';
import { useEndImpersonation } from '../../queries/session';
import { errorText } from '../../ui/QueryState';

/**
 * SessionBanners are the notices every page of the signed-in console carries: that an administrator is
 * signed in as this tenant (with the way back), and that the account is suspended, with the operator's reason.
 */
export function SessionBanners({ session }: { session: TSessionResponse }) {
  const { impersonatedBy, tenant, user } = session;
  if (!impersonatedBy && tenant?.status !== 'suspended') return null;
  return (
    <>
      {impersonatedBy && (
        <ImpersonationBanner
          tenantName={tenant?.name ?? user.email}
          tenantId={tenant?.id ?? user.tenantId}
          adminEmail={impersonatedBy.email}
        />
      )}
      {tenant?.status === 'suspended' && (
        <Alert color="orange" variant="light" mb="md" role="status" data-testid="suspension-banner">
          {tenant.suspendedReason
            ? `Your account is suspended: ${tenant.suspendedReason}. Contact your provider.`
            : 'Your account is suspended. Contact your provider.'}
        </Alert>
      )}
    </>
  );
}

function ImpersonationBanner({
  tenantName,
  tenantId,
  adminEmail,
}: {
  tenantName: string;
  tenantId: string | null;
  adminEmail: string;
}) {
  const end = useEndImpersonation();
  return (
    <Alert color="grape" variant="filled" mb="md" role="status" data-testid="impersonation-banner">
      <Group justify="space-between" gap="sm">
        <Text size="sm" c="white">
          You are signed in as <b>{tenantName}</b> by {adminEmail}.
        </Text>
        <Button
          size="xs"
          variant="white"
          color="grape"
          onClick={() => end.mutate({ tenantId })}
          loading={end.isPending}
        >
          Return to your account
        </Button>
      </Group>
      {end.isError && (
        <Text size="sm" c="white" role="alert" mt="xs">
          {errorText(end.error)}
        </Text>
      )}
    </Alert>
  );
}

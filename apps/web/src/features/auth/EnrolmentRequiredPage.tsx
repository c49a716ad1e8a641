import { useState } from 'react';
import { Button, Center, Paper, Stack, Text } from '@mantine/core';
import { PageHeader } from '../../ui/PageHeader';
import { EnrolTwoFactor } from './EnrolTwoFactor';
import { RecoveryCodes } from './RecoveryCodes';
import { useLogout } from '../../queries/session';
import { useRefreshTwoFactor } from '../../queries/twoFactor';

/**
 * EnrolmentRequiredPage is all an administrator sees while the installation requires two-factor sign-in
 * (BERTH_REQUIRE_ADMIN_2FA=1) and they have not set it up: the API refuses everything else until then.
 * Once the recovery codes are put away, the session is read again and the console opens.
 */
export function EnrolmentRequiredPage({ email }: { email: string }) {
  const logout = useLogout();
  const refresh = useRefreshTwoFactor();
  const [codes, setCodes] = useState<string[] | null>(null);
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={760}>
        <PageHeader
          title="Set up two-factor sign-in"
          description={`This panel requires administrators to sign in with a code from an authenticator app. Set it up to continue as ${email}.`}
        />
        <Stack>
          {codes ? (
            <RecoveryCodes codes={codes} onDone={() => void refresh()} />
          ) : (
            <EnrolTwoFactor onEnabled={setCodes} />
          )}
          <Text size="sm" c="dimmed">
            Lost access later? Another administrator can run <code>pnpm berth disable-2fa --email {email}</code> on the
            host.
          </Text>
          <Button variant="subtle" w="fit-content" onClick={() => logout.mutate()} loading={logout.isPending}>
            Sign out
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}

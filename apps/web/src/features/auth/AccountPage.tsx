import { Paper, Stack, Text, Title } from '@mantine/core';
import { PageHeader } from '../../ui/PageHeader';
import { PasswordForm } from './PasswordForm';
import { TwoFactorSection } from './TwoFactorSection';
import { useUser } from '../../queries/session';

/** AccountPage shows who is signed in and holds their security settings: password and two-factor sign-in. */
export function AccountPage() {
  const user = useUser();
  return (
    <>
      <PageHeader
        title="Account"
        description={`Signed in as ${user.email} (${user.role === 'admin' ? 'administrator' : 'account owner'}).`}
      />
      <Stack>
        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="sm">
            Change password
          </Title>
          <Text size="sm" c="dimmed" mb="md">
            Changing it signs out your other browser sessions.
          </Text>
          <PasswordForm />
        </Paper>
        <Paper withBorder p="md">
          <TwoFactorSection />
        </Paper>
      </Stack>
    </>
  );
}

import { useState } from 'react';
import { Badge, Divider, Group, Stack, Text, Title } from '@mantine/core';
import { formatDate } from '../../ui/dates';
import { QueryState } from '../../ui/QueryState';
import { DisableTwoFactorForm } from './DisableTwoFactorForm';
import { EnrolTwoFactor } from './EnrolTwoFactor';
import { RecoveryCodes } from './RecoveryCodes';
import { RegenerateCodesForm } from './RegenerateCodesForm';
import { useRefreshTwoFactor, useTwoFactorStatus } from '../../queries/twoFactor';

/**
 * TwoFactorSection is the Account page's security part: set up two-factor sign-in, see the recovery codes
 * once, replace them, or turn it off.
 */
export function TwoFactorSection() {
  const status = useTwoFactorStatus();
  const refresh = useRefreshTwoFactor();
  const [codes, setCodes] = useState<string[] | null>(null);
  return (
    <Stack gap="sm">
      <Group gap="sm">
        <Title order={2} size="h4">
          Two-factor sign-in
        </Title>
        {status.data && (
          <Badge color={status.data.enabled ? 'green' : 'gray'} variant="light">
            {status.data.enabled ? 'On' : 'Off'}
          </Badge>
        )}
      </Group>
      {codes ? (
        <RecoveryCodes
          codes={codes}
          onDone={() => {
            setCodes(null);
            void refresh();
          }}
        />
      ) : (
        <QueryState query={status} label="two-factor sign-in">
          {(state) =>
            state.enabled ? (
              <Stack gap="md">
                <Text size="sm" c="dimmed">
                  On since {formatDate(state.enabledAt)}. Signing in asks for a code from your authenticator app after
                  the password.
                  {` ${state.recoveryCodesLeft} recovery code${state.recoveryCodesLeft === 1 ? '' : 's'} left.`}
                </Text>
                <Stack gap={4}>
                  <Title order={3} size="h5">
                    Recovery codes
                  </Title>
                  <Text size="sm" c="dimmed">
                    Used some, or lost them? New codes replace every old one.
                  </Text>
                  <RegenerateCodesForm onRegenerated={setCodes} />
                </Stack>
                <Divider />
                <Stack gap={4}>
                  <Title order={3} size="h5">
                    Turn off
                  </Title>
                  <DisableTwoFactorForm />
                </Stack>
              </Stack>
            ) : (
              <Stack gap="sm">
                <Text size="sm" c="dimmed">
                  Protect this account with a second step at sign-in: a 6-digit code from an authenticator app on your
                  phone. API tokens are not affected.
                </Text>
                <EnrolTwoFactor onEnabled={setCodes} />
              </Stack>
            )
          }
        </QueryState>
      )}
    </Stack>
  );
}

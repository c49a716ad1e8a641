import { Badge, Button, Code, CopyButton, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { TSftpAccess } from '@berth/contracts';
import { sftpCommand, type SftpState } from './sftpStatus';

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" className="mono" style={{ overflowWrap: 'anywhere' }}>
        {value}
      </Text>
    </Stack>
  );
}

/**
 * SftpConnection says where to connect (host, port, login), where a session starts, whether the login works
 * now, and gives the whole `sftp` command line to copy.
 */
export function SftpConnection({ access, state }: { access: TSftpAccess; state: SftpState }) {
  const command = sftpCommand(access);
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" align="flex-start" mb="sm">
        <Title order={2} size="h4">
          Connecting
        </Title>
        <Badge color={state.color} variant="light" data-testid="sftp-state">
          {state.label}
        </Badge>
      </Group>
      <Text size="sm" mb="sm" role="status">
        {state.detail}
      </Text>
      <SimpleGrid cols={{ base: 1, xs: 3 }} mb="sm">
        <Fact label="Host" value={access.host} />
        <Fact label="Port" value={String(access.port)} />
        <Fact label="Login" value={access.login} />
      </SimpleGrid>
      <Text size="sm" mb="xs">
        A session starts in <Code>{access.home}</Code>, with one folder per site (named by the site’s id).
      </Text>
      <Group gap="xs" wrap="nowrap" align="center">
        <Code block className="mono" aria-label="SFTP command" style={{ flex: 1, overflowX: 'auto' }}>
          {command}
        </Code>
        <CopyButton value={command} timeout={2000}>
          {({ copied, copy }) => (
            <Button size="xs" variant="light" color={copied ? 'green' : undefined} onClick={copy}>
              {copied ? 'Copied' : 'Copy command'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Text size="xs" c="dimmed" mt="xs">
        Any SFTP client works, such as FileZilla or WinSCP: choose SFTP, and use the host, port and login above.
      </Text>
    </Paper>
  );
}

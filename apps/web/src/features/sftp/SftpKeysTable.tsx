import { Button, Group, Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { TSftpKey } from '@berth/contracts';
import { formatDate } from '../../ui/dates';
import { EmptyNote } from '../../ui/QueryState';

function Fingerprint({ sshKey }: { sshKey: TSftpKey }) {
  return (
    <Text size="sm" className="mono" style={{ overflowWrap: 'anywhere' }}>
      {sshKey.fingerprint}
    </Text>
  );
}

/**
 * SftpKeysTable lists the SSH keys that may sign in (name, type, fingerprint as `ssh-keygen -l` prints it, when
 * added), as cards on a phone so Remove stays in view.
 */
export function SftpKeysTable({ keys, onRemove }: { keys: readonly TSftpKey[]; onRemove: (key: TSftpKey) => void }) {
  const phone = useMediaQuery('(max-width: 36em)');
  const remove = (key: TSftpKey) => (
    <Button size="xs" variant="subtle" color="red" onClick={() => onRemove(key)} aria-label={`Remove key ${key.name}`}>
      Remove
    </Button>
  );
  if (keys.length === 0)
    return <EmptyNote>No SSH keys yet. Add your public key to sign in without a password.</EmptyNote>;
  if (phone)
    return (
      <Stack gap="sm" role="list" aria-label="SSH keys">
        {keys.map((key) => (
          <Paper key={key.id} withBorder p="sm" role="listitem" data-key-name={key.name}>
            <Group justify="space-between" wrap="nowrap">
              <Text fw={600}>{key.name}</Text>
              <Text size="sm" c="dimmed">
                {key.type}
              </Text>
            </Group>
            <Fingerprint sshKey={key} />
            <Text size="sm" c="dimmed">
              Added {formatDate(key.createdAt)}
            </Text>
            <Group mt="xs">{remove(key)}</Group>
          </Paper>
        ))}
      </Stack>
    );
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped aria-label="SSH keys">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Type</Table.Th>
            <Table.Th scope="col">Fingerprint</Table.Th>
            <Table.Th scope="col">Added</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((key) => (
            <Table.Tr key={key.id} data-key-name={key.name}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {key.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" className="mono">
                  {key.type}
                </Text>
              </Table.Td>
              <Table.Td>
                <Fingerprint sshKey={key} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDate(key.createdAt)}</Text>
              </Table.Td>
              <Table.Td>{remove(key)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

import { useState } from 'react';
import { Badge, Button, Paper, Stack, Table, Title, VisuallyHidden } from '@mantine/core';
import type { TApiToken } from '@berth/contracts';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { formatDate } from '../../ui/dates';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyNote, errorText, QueryState } from '../../ui/QueryState';
import { CreateTokenForm } from './CreateTokenForm';
import { TokenSecret } from './TokenSecret';
import { useRevokeToken, useTokens } from '../../queries/tokens';

/** TokensPage lists the user's API tokens, creates one (secret shown once) and revokes them. */
export function TokensPage() {
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<TApiToken | null>(null);
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens let scripts and billing systems use the API as you (Authorization: Bearer …)."
      />
      <Stack>
        {created && <TokenSecret name={created.name} secret={created.secret} onDone={() => setCreated(null)} />}
        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="sm">
            New token
          </Title>
          <CreateTokenForm onCreated={(answer) => setCreated({ name: answer.token.name, secret: answer.secret })} />
        </Paper>
        <QueryState query={tokens} label="tokens">
          {(page) =>
            page.items.length === 0 ? (
              <EmptyNote>No tokens yet.</EmptyNote>
            ) : (
              <Table.ScrollContainer minWidth={600}>
                <Table striped aria-label="API tokens">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Name</Table.Th>
                      <Table.Th scope="col">Scope</Table.Th>
                      <Table.Th scope="col">Created</Table.Th>
                      <Table.Th scope="col">Expires</Table.Th>
                      <Table.Th scope="col">Last used</Table.Th>
                      <Table.Th scope="col">
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {page.items.map((token) => (
                      <Table.Tr key={token.id}>
                        <Table.Td>{token.name}</Table.Td>
                        <Table.Td>
                          <Badge variant="light">{token.scope}</Badge>
                        </Table.Td>
                        <Table.Td>{formatDate(token.createdAt)}</Table.Td>
                        <Table.Td>{token.expiresAt ? formatDate(token.expiresAt) : 'never'}</Table.Td>
                        <Table.Td>{token.lastUsedAt ? formatDate(token.lastUsedAt) : 'never'}</Table.Td>
                        <Table.Td>
                          <Button
                            size="xs"
                            variant="subtle"
                            color="red"
                            onClick={() => setRevoking(token)}
                            aria-label={`Revoke ${token.name}`}
                          >
                            Revoke
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryState>
      </Stack>
      <ConfirmModal
        opened={revoking !== null}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        title={`Revoke ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke token"
        pending={revoke.isPending}
        error={revoke.error ? errorText(revoke.error) : null}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      >
        Scripts using this token stop working at once.
      </ConfirmModal>
    </>
  );
}

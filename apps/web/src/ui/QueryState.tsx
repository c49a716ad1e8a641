import type { ReactNode } from 'react';
import { Alert, Button, Center, Group, Loader, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import { ApiError } from '../api';

/** errorText says in plain words what went wrong with a request. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'The panel could not be reached. Check the connection and try again.';
}

/** QueryLoading is the loading line of a view ("Loading sites…"), announced politely. */
export function QueryLoading({ label }: { label: string }) {
  return (
    <Center py="lg" role="status" aria-live="polite">
      <Group gap="xs">
        <Loader size="sm" aria-hidden />
        <Text>Loading {label}…</Text>
      </Group>
    </Center>
  );
}

/** QueryError says that `label` could not be loaded, why, and offers to try again. */
export function QueryError({ query, label }: { query: Pick<UseQueryResult, 'error' | 'refetch'>; label: string }) {
  return (
    <Alert color="red" role="alert" title={`Could not load ${label}`}>
      <Text size="sm" mb="xs">
        {errorText(query.error)}
      </Text>
      <Button size="xs" variant="light" color="red" onClick={() => void query.refetch()}>
        Try again
      </Button>
    </Alert>
  );
}

/**
 * QueryState renders a query's loading and error states and, once data is there, its children; every
 * view goes through it so none of them is ever blank.
 */
export function QueryState<T>({
  query,
  label,
  children,
}: {
  query: UseQueryResult<T>;
  label: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <QueryLoading label={label} />;
  if (query.isError) return <QueryError query={query} label={label} />;
  return <>{children(query.data)}</>;
}

/** EmptyNote is the message of a list with nothing in it yet, with the next step to take. */
export function EmptyNote({ children }: { children: ReactNode }) {
  return (
    <Text c="dimmed" py="md" ta="center">
      {children}
    </Text>
  );
}

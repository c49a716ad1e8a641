import { Alert } from '@mantine/core';

/** FormAlert shows a problem that belongs to the whole form (not one field), announced to screen readers. */
export function FormAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Alert color="red" role="alert" variant="light">
      {message}
    </Alert>
  );
}

import { Alert, Text } from '@mantine/core';
import { ShownOnce } from '../../ui/ShownOnce';

/** TokenSecret shows a new token's secret the one time the API answers it, with a copy button. */
export function TokenSecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  return (
    <Alert color="blue" variant="light" title={`Token “${name}” created — copy it now`} data-testid="token-secret">
      <ShownOnce
        value={secret}
        label="Token secret"
        copyLabel="Copy secret"
        onDone={onDone}
        footer={
          <Text size="xs" aria-live="polite" c="dimmed">
            Use it as: Authorization: Bearer {'<secret>'}
          </Text>
        }
      >
        This is the only time the secret is shown. Store it somewhere safe; if it is lost, revoke the token and create
        another.
      </ShownOnce>
    </Alert>
  );
}

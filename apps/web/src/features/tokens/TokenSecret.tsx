import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

/** TokenSecret shows a new token's secret the one time the API answers it, with a copy button. */
export function TokenSecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  return (
    <Alert color="blue" variant="light" title={`Token “${name}” created — copy it now`} data-testid="token-secret">
      <Stack gap="xs">
        <Text size="sm">
          This is the only time the secret is shown. Store it somewhere safe; if it is lost, revoke the token and create
          another.
        </Text>
        <Code block className="mono" aria-label="Token secret">
          {secret}
        </Code>
        <Group>
          <CopyButton value={secret} timeout={2000}>
            {({ copied, copy }) => (
              <Button size="xs" color={copied ? 'green' : undefined} onClick={copy}>
                {copied ? 'Copied' : 'Copy secret'}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="default" onClick={onDone}>
            I have stored it
          </Button>
        </Group>
        <Text size="xs" aria-live="polite" c="dimmed">
          Use it as: Authorization: Bearer {'<secret>'}
        </Text>
      </Stack>
    </Alert>
  );
}

import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

/** RecoveryCodes shows new recovery codes the one time the API answers them, with a copy button. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const text = codes.join('\n');
  return (
    <Alert color="blue" variant="light" title="Your recovery codes — store them now" data-testid="recovery-codes">
      <Stack gap="xs">
        <Text size="sm">
          Each code signs you in once if you lose your authenticator. This is the only time they are shown: keep them
          somewhere safe, apart from the device (a password manager, or printed).
        </Text>
        <Code block className="mono" aria-label="Recovery codes">
          {text}
        </Code>
        <Group>
          <CopyButton value={text} timeout={2000}>
            {({ copied, copy }) => (
              <Button size="xs" color={copied ? 'green' : undefined} onClick={copy}>
                {copied ? 'Copied' : 'Copy codes'}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="default" onClick={onDone}>
            I have stored them
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

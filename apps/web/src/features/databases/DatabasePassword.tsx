import { Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';

/** ShownPassword is a user's password as the API answered it once (creation or rotation). */
export interface ShownPassword {
  user: string;
  password: string;
}

/**
 * DatabasePassword shows a database user's password the one time the API answers it, with a copy button.
 * Closing it forgets the password: the panel never shows it again (set a new one if it is lost). A click
 * beside the dialog does not close it, so the password is not lost by accident.
 */
export function DatabasePassword({ shown, onDone }: { shown: ShownPassword | null; onDone: () => void }) {
  return (
    <Modal
      opened={shown !== null}
      onClose={onDone}
      closeOnClickOutside={false}
      title={shown ? `Password of ${shown.user} — copy it now` : ''}
      centered
    >
      {shown && (
        <Stack gap="sm" data-testid="database-password">
          <Text size="sm">
            This is the only time the password is shown. Put it in your app’s configuration or a password manager now;
            if it is lost, set a new one.
          </Text>
          <Code block className="mono" aria-label={`Password of ${shown.user}`}>
            {shown.password}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={shown.password} timeout={2000}>
              {({ copied, copy }) => (
                <Button color={copied ? 'green' : undefined} onClick={copy}>
                  {copied ? 'Copied' : 'Copy password'}
                </Button>
              )}
            </CopyButton>
            <Button variant="default" onClick={onDone}>
              I have stored it
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

import type { ReactNode } from 'react';
import { Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

/**
 * ShownOnce is a secret the API answers one time only (a token, a password): the secret in a code block, a copy
 * button and an "I have stored it" button that forgets it. The caller says what it is and what to do if lost.
 */
export function ShownOnce({
  value,
  label,
  copyLabel,
  onDone,
  children,
  footer,
  size = 'xs',
  justify,
}: {
  value: string;
  /** The code block's accessible name, e.g. "Token secret". */
  label: string;
  /** The copy button's text, e.g. "Copy password". */
  copyLabel: string;
  onDone: () => void;
  /** The sentence above the secret. */
  children: ReactNode;
  footer?: ReactNode;
  size?: 'xs' | 'sm';
  justify?: 'flex-start' | 'flex-end';
}) {
  return (
    <Stack gap={size === 'xs' ? 'xs' : 'sm'}>
      <Text size="sm">{children}</Text>
      <Code block className="mono" aria-label={label}>
        {value}
      </Code>
      <Group justify={justify}>
        <CopyButton value={value} timeout={2000}>
          {({ copied, copy }) => (
            <Button size={size} color={copied ? 'green' : undefined} onClick={copy}>
              {copied ? 'Copied' : copyLabel}
            </Button>
          )}
        </CopyButton>
        <Button size={size} variant="default" onClick={onDone}>
          I have stored it
        </Button>
      </Group>
      {footer}
    </Stack>
  );
}

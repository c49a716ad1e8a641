import { useState, type ReactNode } from 'react';
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { FormAlert } from '../forms/FormAlert';

export interface ConfirmModalProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** When set, the user must type exactly this text (a tenant's slug, a site's name) to enable the button. */
  typedConfirmation?: string;
  pending: boolean;
  error: string | null;
  onConfirm: () => void;
}

/** ConfirmModal asks before anything destructive; the red button stays disabled until the typed text matches. */
export function ConfirmModal(props: ConfirmModalProps) {
  const { opened, onClose, title, children, confirmLabel, typedConfirmation, pending, error, onConfirm } = props;
  const [typed, setTyped] = useState('');
  const matches = typedConfirmation === undefined || typed === typedConfirmation;
  const close = () => {
    setTyped('');
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={title} centered>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (matches) onConfirm();
        }}
      >
        <Stack>
          <Text size="sm">{children}</Text>
          {typedConfirmation !== undefined && (
            <TextInput
              label={`Type ${typedConfirmation} to confirm`}
              value={typed}
              onChange={(event) => setTyped(event.currentTarget.value)}
              autoComplete="off"
              data-autofocus
            />
          )}
          <FormAlert message={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="red" disabled={!matches} loading={pending}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

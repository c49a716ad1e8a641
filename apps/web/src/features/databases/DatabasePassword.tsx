import { Modal } from '@mantine/core';
import { ShownOnce } from '../../ui/ShownOnce';

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
        <div data-testid="database-password">
          <ShownOnce
            value={shown.password}
            label={`Password of ${shown.user}`}
            copyLabel="Copy password"
            onDone={onDone}
            size="sm"
            justify="flex-end"
          >
            This is the only time the password is shown. Put it in your app’s configuration or a password manager now;
            if it is lost, set a new one.
          </ShownOnce>
        </div>
      )}
    </Modal>
  );
}

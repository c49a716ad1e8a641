import { Notifications } from '@mantine/notifications';

/**
 * NOTIFICATIONS_POSITION keeps toasts at the bottom right, away from the header (its Sign out button is
 * at the top right, where Mantine's toasts would otherwise cover it).
 */
export const NOTIFICATIONS_POSITION = 'bottom-right';

/** ConsoleNotifications is the console's one toast container. */
export function ConsoleNotifications() {
  return <Notifications position={NOTIFICATIONS_POSITION} />;
}

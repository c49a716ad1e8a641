// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react';
import { notifications } from '@mantine/notifications';
import { afterEach, describe, expect, it } from 'vitest';
import { renderWithProviders } from '../test/render';
import { ConsoleNotifications } from './ConsoleNotifications';

afterEach(() => {
  act(() => notifications.clean());
  cleanup();
});

describe('ConsoleNotifications', () => {
  it('shows toasts at the bottom right, away from the Sign out button in the header', async () => {
    renderWithProviders(<ConsoleNotifications />);
    act(() => {
      notifications.show({ message: 'Site created.' });
    });
    const toast = await screen.findByText('Site created.');
    expect(toast.closest('[data-position]')?.getAttribute('data-position')).toBe('bottom-right');
  });
});

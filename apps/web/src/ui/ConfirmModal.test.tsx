// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../test/render';
import { ConfirmModal } from './ConfirmModal';

afterEach(cleanup);

describe('ConfirmModal', () => {
  it('keeps a destructive action disabled until the exact slug is typed', async () => {
    const onConfirm = vi.fn();
    renderWithProviders(
      <ConfirmModal
        opened
        onClose={vi.fn()}
        title="Terminate acme?"
        confirmLabel="Terminate tenant"
        typedConfirmation="acme"
        pending={false}
        error={null}
        onConfirm={onConfirm}
      >
        Everything is deleted.
      </ConfirmModal>,
    );
    const button = screen.getByRole('button', { name: 'Terminate tenant' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await userEvent.type(screen.getByLabelText('Type acme to confirm'), 'acm');
    await userEvent.keyboard('{Enter}');
    expect(onConfirm).not.toHaveBeenCalled();
    await userEvent.type(screen.getByLabelText('Type acme to confirm'), 'e');
    expect(button.disabled).toBe(false);
    await userEvent.click(button);
    expect(onConfirm).toHaveBeenCalledOnce();
  });
});

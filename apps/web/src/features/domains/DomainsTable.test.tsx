// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TDomain } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders, stubApi } from '../../test/render';
import { DomainsTable } from './DomainsTable';

const HOST = 'shop1.test.example.com';
const domain: TDomain = {
  id: 'dom0000001',
  hostname: HOST,
  siteId: 'site000001',
  tenantId: 'ten0000001',
  kind: 'primary',
  redirectTo: null,
  redirectCode: null,
  tls: 'off',
  wwwRedirect: 'none',
  createdAt: '2026-11-30T00:00:00.000Z',
  updatedAt: '2026-11-30T00:00:00.000Z',
};

/** screenWidth makes `(max-width: 36em)` match on a phone (375 px) and not on a desktop. */
function screenWidth(px: number) {
  vi.stubGlobal('matchMedia', (query: string) => {
    const max = /max-width: ([\d.]+)em/.exec(query);
    return {
      matches: max ? px <= Number(max[1]) * 16 : false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    };
  });
}

function renderTable() {
  stubApi({});
  const onUpload = vi.fn();
  const onRemove = vi.fn();
  renderWithProviders(
    <DomainsTable domains={[domain]} savingTls={false} onTlsChange={vi.fn()} onUpload={onUpload} onRemove={onRemove} />,
  );
  return { onUpload, onRemove };
}

/** expectNameStartsWithLabel checks WCAG 2.5.3: what a voice user reads on the button is how it is named. */
function expectNameStartsWithLabel(button: HTMLElement) {
  const visible = button.textContent!.trim();
  expect(button.getAttribute('aria-label')!.startsWith(visible)).toBe(true);
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('DomainsTable', () => {
  it('shows a card per hostname on a 375 px phone, with its buttons, and no wide table', async () => {
    screenWidth(375);
    const { onRemove } = renderTable();
    const card = await screen.findByRole('listitem');
    expect(screen.queryByRole('table')).toBeNull();
    expect(within(card).getByText(HOST).getAttribute('title')).toBe(HOST);
    const remove = within(card).getByRole('button', { name: `Remove ${HOST}` });
    const upload = within(card).getByRole('button', { name: `Upload certificate for ${HOST}` });
    expectNameStartsWithLabel(remove);
    expectNameStartsWithLabel(upload);
    await userEvent.click(remove);
    expect(onRemove).toHaveBeenCalledWith(domain);
  });

  it('shows a table on a desktop, the hostname kept on one line', async () => {
    screenWidth(1280);
    const { onUpload } = renderTable();
    const table = screen.getByRole('table', { name: 'Domains' });
    const name = within(table).getByText(HOST);
    expect(name.style.whiteSpace).toBe('nowrap');
    const upload = within(table).getByRole('button', { name: `Upload certificate for ${HOST}` });
    expectNameStartsWithLabel(upload);
    await userEvent.click(upload);
    expect(onUpload).toHaveBeenCalledWith(domain);
  });
});

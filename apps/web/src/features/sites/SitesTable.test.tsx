// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import type { TSite } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../test/render';
import { SitesTable } from './SitesTable';

const HOST = 'shop1.test.example.com';
// Cast: only the fields the list shows matter here.
const site = {
  id: 'site000001',
  tenantId: 'ten0000001',
  name: 'shop',
  runtime: { kind: 'php', version: '8.4' },
  settings: {},
  status: 'live',
  statusMessage: null,
  domains: [HOST],
  url: `https://${HOST}`,
  createdAt: '2026-11-30T00:00:00.000Z',
  updatedAt: '2026-11-30T00:00:00.000Z',
} as TSite;

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

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('SitesTable', () => {
  it('shows a card per site on a 375 px phone, its link and hostnames on one line each', async () => {
    screenWidth(375);
    renderWithProviders(<SitesTable sites={[site]} empty="No sites yet." />);
    const card = await screen.findByRole('listitem');
    expect(screen.queryByRole('table')).toBeNull();
    expect(within(card).getByRole('link', { name: 'shop' }).getAttribute('href')).toBe('/sites/site000001');
    const host = within(card).getByText(HOST);
    expect(host.getAttribute('title')).toBe(HOST);
    expect(host.style.whiteSpace).toBe('nowrap');
  });

  it('shows a table on a desktop, hostnames kept on one line', () => {
    screenWidth(1280);
    renderWithProviders(<SitesTable sites={[site]} empty="No sites yet." />);
    const table = screen.getByRole('table', { name: 'Sites' });
    expect(within(table).getByText(HOST).style.whiteSpace).toBe('nowrap');
  });
});

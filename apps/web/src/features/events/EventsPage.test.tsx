// @vitest-environment jsdom
import type { ReactNode } from 'react';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TEvent } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useSession } from '../../queries/session';
import { renderWithProviders, stubApi } from '../../test/render';
import { EventsPage } from './EventsPage';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function SignedIn({ children }: { children: ReactNode }) {
  return useSession().data ? <>{children}</> : null;
}

const EVENT: TEvent = {
  id: 'evt0000001',
  at: '2026-11-30T10:00:00.000Z',
  actor: 'token:tok0000001',
  actorName: 'deploy (API token)',
  action: 'domain.update',
  targetType: 'domain',
  targetId: 'dom0000001',
  targetName: 'shop.acme.test',
  tenantId: 'ten0000001',
  result: 'error',
  message: 'HTTP 409',
  ip: null,
  details: { tls: 'auto' },
};

function eventsApi(role: 'admin' | 'tenant-owner') {
  return stubApi({
    'GET /me': {
      status: 200,
      body: {
        user: {
          id: 'user000001',
          email: 'me@acme.test',
          role,
          tenantId: role === 'admin' ? null : 'ten0000001',
          createdAt: '2026-01-01T00:00:00.000Z',
        },
        csrfToken: 'csrf',
        twoFactor: { enabled: false, enrolmentRequired: false },
      },
    },
    'GET /events': { status: 200, body: { items: [EVENT], total: 1 } },
    'GET /tenants': {
      status: 200,
      body: { items: [{ id: 'ten0000001', slug: 'acme' }], total: 1 },
    },
  });
}

const lastEventsQuery = (requests: { path: string }[]) =>
  new URLSearchParams(
    requests
      .filter((r) => r.path.startsWith('/events'))
      .at(-1)!
      .path.split('?')[1],
  );

async function choose(label: string, option: string) {
  await userEvent.click(screen.getByRole('combobox', { name: label }));
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

describe('EventsPage', () => {
  it('filters by kind, result and actor, and shows each event in full words', async () => {
    const requests = eventsApi('tenant-owner');
    renderWithProviders(
      <SignedIn>
        <EventsPage />
      </SignedIn>,
    );
    const table = await screen.findByRole('table', { name: 'Events' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(within(row).getByTestId('event-summary').textContent).toBe('Changed domain shop.acme.test');
    expect(within(row).getByTestId('event-change').textContent).toBe('HTTPS: public certificate');
    expect(within(row).getByTestId('event-actor').textContent).toBe('deploy (API token)');
    expect(within(row).getByText('Failed')).toBeTruthy();
    // Tenants are no filter for a tenant's own users.
    expect(screen.queryByRole('combobox', { name: 'Tenant' })).toBeNull();

    await choose('Kind', 'Domains');
    await waitFor(() => expect(lastEventsQuery(requests).get('kind')).toBe('domain'));
    await choose('Result', 'Failed or refused');
    await waitFor(() => expect(lastEventsQuery(requests).get('result')).toBe('error'));
    await choose('Who', 'deploy (API token)');
    await waitFor(() => expect(lastEventsQuery(requests).get('actor')).toBe('token:tok0000001'));
    const query = lastEventsQuery(requests);
    expect(query.get('kind')).toBe('domain');
    expect(query.get('offset')).toBe('0');

    await choose('Who', 'Berth (automatic)');
    await waitFor(() => expect(lastEventsQuery(requests).get('actor')).toBe('system'));
  });

  it('lets operators narrow the trail to one tenant', async () => {
    const requests = eventsApi('admin');
    renderWithProviders(
      <SignedIn>
        <EventsPage />
      </SignedIn>,
    );
    await screen.findByRole('table', { name: 'Events' });
    await choose('Tenant', 'acme');
    await waitFor(() => expect(lastEventsQuery(requests).get('tenantId')).toBe('ten0000001'));
  });
});

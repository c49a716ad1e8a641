// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TDomain } from '@berth/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { DomainVerification } from './DomainVerification';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const pending: TDomain = {
  id: 'dom0000001',
  hostname: 'shop.example.com',
  siteId: 'site000001',
  tenantId: 'ten0000001',
  kind: 'primary',
  redirectTo: null,
  redirectCode: null,
  tls: 'auto',
  wwwRedirect: 'none',
  createdAt: '2026-11-30T00:00:00.000Z',
  updatedAt: '2026-11-30T00:00:00.000Z',
  verification: {
    status: 'pending',
    recordName: '_berth-verify.shop.example.com',
    recordValue: 'berth-verify=0123456789abcdef0123456789abcdef',
    verifiedAt: null,
  },
};

describe('DomainVerification', () => {
  it('shows the TXT record to publish and the DNS answer when the check fails', async () => {
    const requests = stubApi({
      'POST /domains/dom0000001/verify': apiError(
        409,
        'DOMAIN_NOT_VERIFIED',
        'Publish a TXT record _berth-verify.shop.example.com … DNS shows no such record yet.',
      ),
    });
    renderWithProviders(<DomainVerification domain={pending} />);
    expect(screen.getByText('_berth-verify.shop.example.com')).toBeTruthy();
    expect(screen.getByText('berth-verify=0123456789abcdef0123456789abcdef')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Check DNS of shop.example.com' }));
    expect(await screen.findByRole('alert')).toBeTruthy();
    await waitFor(() => expect(requests[0]).toMatchObject({ method: 'POST', path: '/domains/dom0000001/verify' }));
  });

  it('shows nothing for a verified hostname', () => {
    renderWithProviders(
      <DomainVerification
        domain={{
          ...pending,
          verification: {
            status: 'verified',
            recordName: null,
            recordValue: null,
            verifiedAt: '2026-11-30T00:00:00.000Z',
          },
        }}
      />,
    );
    expect(screen.queryByText(/not verified/)).toBeNull();
  });
});

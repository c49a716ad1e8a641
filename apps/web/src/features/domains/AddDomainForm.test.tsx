// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { AddDomainForm } from './AddDomainForm';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('AddDomainForm', () => {
  it('explains what is wrong with a hostname using the shared normalizer', async () => {
    const requests = stubApi({});
    renderWithProviders(<AddDomainForm siteId="site000001" />);
    await userEvent.type(screen.getByLabelText(/^Hostname/), 'example.com/path');
    await userEvent.click(screen.getByRole('button', { name: 'Add domain' }));
    expect(await screen.findByText(/may only contain letters, digits, hyphens and dots/)).toBeTruthy();
    expect(requests).toHaveLength(0);
  });

  it('shows an international name as the punycode it is stored as and sends it normalized', async () => {
    const requests = stubApi({
      'POST /sites/site000001/domains': { status: 201, body: { id: 'dom0000001', hostname: 'xn--bcher-kva.example' } },
    });
    renderWithProviders(<AddDomainForm siteId="site000001" />);
    await userEvent.type(screen.getByLabelText(/^Hostname/), 'Bücher.example');
    expect(await screen.findByText('Stored as xn--bcher-kva.example')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Add domain' }));
    await waitFor(() => expect(requests[0]?.body).toEqual({ hostname: 'xn--bcher-kva.example' }));
  });

  it('asks for the target of a redirect domain', async () => {
    stubApi({});
    renderWithProviders(<AddDomainForm siteId="site000001" />);
    await userEvent.type(screen.getByLabelText(/^Hostname/), 'old.example.com');
    await userEvent.click(screen.getByRole('combobox', { name: 'Kind' }));
    await userEvent.click(await screen.findByRole('option', { name: 'redirect' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add domain' }));
    expect(await screen.findByText('A redirect domain needs a redirectTo URL.')).toBeTruthy();
  });

  it('puts HOSTNAME_TAKEN at the hostname field', async () => {
    stubApi({
      'POST /sites/site000001/domains': apiError(
        409,
        'HOSTNAME_TAKEN',
        'www.example.com is already added on this panel.',
        [{ path: ['hostname'], message: 'Already in use.' }],
      ),
    });
    renderWithProviders(<AddDomainForm siteId="site000001" />);
    await userEvent.type(screen.getByLabelText(/^Hostname/), 'www.example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Add domain' }));
    expect(await screen.findByText('Already in use.')).toBeTruthy();
    expect(screen.getByLabelText(/^Hostname/).getAttribute('aria-invalid')).toBe('true');
  });
});

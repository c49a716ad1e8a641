// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, renderWithProviders, stubApi } from '../../test/render';
import { CreateTenantForm } from './CreateTenantForm';

const PLANS = { status: 200, body: { items: [], total: 0 } };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function fill(slug: string, password: string) {
  await userEvent.type(screen.getByLabelText(/^Slug/), slug);
  await userEvent.type(screen.getByLabelText(/^Name/), 'Acme Ltd');
  await userEvent.type(screen.getByLabelText(/^Owner email/), 'owner@acme.test');
  await userEvent.type(screen.getByLabelText(/^Owner password/), password);
  await userEvent.click(screen.getByRole('button', { name: 'Create tenant' }));
}

describe('CreateTenantForm', () => {
  it('refuses a bad slug and a short owner password at their fields', async () => {
    const requests = stubApi({ 'GET /plans': PLANS });
    renderWithProviders(<CreateTenantForm onCreated={vi.fn()} onCancel={vi.fn()} />);
    await fill('Acme_1', 'short');
    expect(await screen.findByText(/Use lowercase letters, digits and hyphens; start with a letter/)).toBeTruthy();
    expect(screen.getByText('A password is at least 12 characters.')).toBeTruthy();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('puts SLUG_TAKEN at the slug field and sends the owner nested', async () => {
    const requests = stubApi({
      'GET /plans': PLANS,
      'POST /tenants': apiError(409, 'SLUG_TAKEN', 'The slug "acme" is already used by another tenant.'),
    });
    const onCreated = vi.fn();
    renderWithProviders(<CreateTenantForm onCreated={onCreated} onCancel={vi.fn()} />);
    await fill('acme', 'long-enough-password');
    expect(await screen.findByText('The slug "acme" is already used by another tenant.')).toBeTruthy();
    expect(screen.getByLabelText(/^Slug/).getAttribute('aria-invalid')).toBe('true');
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
      slug: 'acme',
      name: 'Acme Ltd',
      webserver: 'nginx',
      owner: { email: 'owner@acme.test', password: 'long-enough-password' },
    });
    expect(onCreated).not.toHaveBeenCalled();
  });

  it('maps a server issue path (owner.email) to the owner email field', async () => {
    stubApi({
      'GET /plans': PLANS,
      'POST /tenants': apiError(400, 'VALIDATION_FAILED', 'Invalid body.owner.email', [
        { path: ['owner', 'email'], message: 'Refused by the server.' },
      ]),
    });
    renderWithProviders(<CreateTenantForm onCreated={vi.fn()} onCancel={vi.fn()} />);
    await fill('acme', 'long-enough-password');
    await waitFor(() => expect(screen.getByLabelText(/^Owner email/).getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('Refused by the server.')).toBeTruthy();
  });
});

// @vitest-environment jsdom
import { lazy, Suspense, type ReactNode } from 'react';
import { MantineProvider } from '@mantine/core';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { theme } from '../../app/theme';
import '../../test/render';
import { isChunkLoadError, RouteErrorPage } from './RouteErrorPage';

beforeEach(() => {
  window.sessionStorage.clear();
  // React and React Router report caught route errors on the console; that noise is not under test.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const CHUNK_ERROR = new TypeError(
  'Failed to fetch dynamically imported module: https://panel.example.com/assets/SitesPage-3f2a1b.js',
);

function renderRoute(element: ReactNode, reload = vi.fn()) {
  const router = createMemoryRouter([{ path: '/', element, errorElement: <RouteErrorPage reload={reload} /> }]);
  render(
    <MantineProvider theme={theme} env="test">
      <RouterProvider router={router} />
    </MantineProvider>,
  );
  return reload;
}

describe('RouteErrorPage', () => {
  it('offers a reload when a lazily loaded page could not be downloaded', async () => {
    const Missing = lazy(() => Promise.reject(CHUNK_ERROR));
    const reload = renderRoute(
      <Suspense fallback="loading">
        <Missing />
      </Suspense>,
    );
    expect(await screen.findByRole('heading', { name: 'This page could not be loaded' })).toBeTruthy();
    // The first failure in a minute reloads by itself; the button is there if it fails again.
    expect(reload).toHaveBeenCalledTimes(1);
    await userEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(reload).toHaveBeenCalledTimes(2);
    expect(screen.queryByText(/SitesPage-3f2a1b/)).toBeNull();
    expect(screen.queryByRole('link', { name: 'Back to the start page' })).toBeNull();
  });

  it('does not reload by itself twice within a minute (no reload loop)', async () => {
    window.sessionStorage.setItem('berth.chunk-reload-at', String(Date.now() - 5_000));
    const Missing = lazy(() => Promise.reject(CHUNK_ERROR));
    const reload = renderRoute(
      <Suspense fallback="loading">
        <Missing />
      </Suspense>,
    );
    expect(await screen.findByRole('heading', { name: 'This page could not be loaded' })).toBeTruthy();
    expect(reload).not.toHaveBeenCalled();
  });

  it('shows a plain message and a link home for any other error, never the message or stack', async () => {
    const error = new Error('Cannot read properties of undefined (reading "hostname")');
    function Broken(): ReactNode {
      throw error;
    }
    renderRoute(<Broken />);
    expect(await screen.findByRole('heading', { name: 'Something went wrong' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Back to the start page' }).getAttribute('href')).toBe('/');
    expect(screen.queryByRole('button', { name: 'Reload' })).toBeNull();
    expect(document.body.textContent).not.toContain('Cannot read properties');
    expect(document.body.textContent).not.toContain(error.stack!.split('\n')[1]!.trim());
  });
});

describe('isChunkLoadError', () => {
  it.each([
    [CHUNK_ERROR, true],
    [new TypeError('error loading dynamically imported module: /assets/x.js'), true],
    [new TypeError('Importing a module script failed.'), true],
    [new Error('Unable to preload CSS for /assets/x.css'), true],
    [Object.assign(new Error('Loading chunk 12 failed.'), { name: 'ChunkLoadError' }), true],
    [new Error('Something else'), false],
    ['Failed to fetch dynamically imported module', false],
    [undefined, false],
  ])('%s → %s', (error, expected) => {
    expect(isChunkLoadError(error)).toBe(expected);
  });
});

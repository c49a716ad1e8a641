// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COLOR_SCHEME, ConsoleProviders } from './ConsoleProviders';

/** prefersDark answers `(prefers-color-scheme: dark)` the way a system set to dark (or light) does. */
function prefersDark(dark: boolean) {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: dark && query === '(prefers-color-scheme: dark)',
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  }));
}

function renderConsole() {
  render(
    <ConsoleProviders client={new QueryClient()}>
      <p>console</p>
    </ConsoleProviders>,
  );
  screen.getByText('console');
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.localStorage.clear();
  document.documentElement.removeAttribute('data-mantine-color-scheme');
});

describe('ConsoleProviders', () => {
  it('uses the auto colour scheme', () => {
    expect(COLOR_SCHEME).toBe('auto');
  });

  it('is dark on a system set to dark', () => {
    prefersDark(true);
    renderConsole();
    expect(document.documentElement.getAttribute('data-mantine-color-scheme')).toBe('dark');
  });

  it('is light on a system set to light', () => {
    prefersDark(false);
    renderConsole();
    expect(document.documentElement.getAttribute('data-mantine-color-scheme')).toBe('light');
  });
});

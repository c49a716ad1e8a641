import type { ReactNode } from 'react';
import { MantineProvider, type MantineColorScheme } from '@mantine/core';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { ConsoleNotifications } from './ConsoleNotifications';
import { cssVariablesResolver, theme } from './theme';

/**
 * COLOR_SCHEME is `auto`: the console follows the system's light or dark setting, and changes with it
 * while open. index.html sets the same scheme before the first paint (Mantine's ColorSchemeScript), so a
 * dark system never sees a white flash; keep the two in step.
 */
export const COLOR_SCHEME: MantineColorScheme = 'auto';

/**
 * ConsoleProviders wraps the console in its theme (light or dark as the system says, with text colours
 * darkened to AA contrast), toasts and query client.
 */
export function ConsoleProviders({ client, children }: { client: QueryClient; children: ReactNode }) {
  return (
    <MantineProvider theme={theme} defaultColorScheme={COLOR_SCHEME} cssVariablesResolver={cssVariablesResolver}>
      <ConsoleNotifications />
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    </MantineProvider>
  );
}

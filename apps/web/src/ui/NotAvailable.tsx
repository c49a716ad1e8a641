import type { ReactNode } from 'react';
import { Alert } from '@mantine/core';

/**
 * NotAvailable marks a part of the console whose API this panel does not answer yet (the route is a 404);
 * it shows as soon as the API has the route, without a console change.
 */
export function NotAvailable({ feature, children }: { feature: string; children?: ReactNode }) {
  return (
    <Alert color="gray" variant="light" title={`${feature} is not available yet`} data-testid="not-available">
      {children ?? 'This panel does not offer it yet; it will appear here once the panel is updated.'}
    </Alert>
  );
}

import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api';

/**
 * queryClient retries only failures a retry can fix (never a 4xx, which would answer the same again) and
 * refetches a list whenever a view opens: other users and the provisioning engine change data too.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, error) => count < 1 && !(error instanceof ApiError && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

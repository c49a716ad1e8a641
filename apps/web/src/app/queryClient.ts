import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api';

/** queryClient retries only failures a retry can fix: never a 4xx, which would answer the same again. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, error) => count < 1 && !(error instanceof ApiError && error.status < 500),
      refetchOnWindowFocus: false,
      staleTime: 5_000,
    },
  },
});

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { ConsoleProviders } from './app/ConsoleProviders';
import { queryClient } from './app/queryClient';
import { createConsoleRouter } from './app/router';
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './styles.css';

const router = createConsoleRouter();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConsoleProviders client={queryClient}>
      <RouterProvider router={router} />
    </ConsoleProviders>
  </StrictMode>,
);

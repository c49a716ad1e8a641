import { useEffect } from 'react';
import { Anchor, Button, Stack, Text } from '@mantine/core';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { PageHeader } from '../../ui/PageHeader';

// What browsers say when a dynamic import() fails: Chromium, Firefox, Safari, and Vite's CSS preload.
const CHUNK_LOAD_MESSAGES = [
  /Failed to fetch dynamically imported module/i,
  /error loading dynamically imported module/i,
  /Importing a module script failed/i,
  /Unable to preload CSS/i,
  /Loading (?:CSS )?chunk [\w-]+ failed/i,
];

/** isChunkLoadError tells whether an error is a lazily loaded part of the console failing to download (usually after a deploy). */
export function isChunkLoadError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ChunkLoadError') return true;
  return CHUNK_LOAD_MESSAGES.some((pattern) => pattern.test(error.message));
}

const AUTO_RELOAD_KEY = 'berth.chunk-reload-at';
const AUTO_RELOAD_WINDOW_MS = 60_000;

/**
 * reloadsOnItsOwn tells whether a chunk failure should reload the page by itself: the first one in a minute does
 * (a deploy replaced the files, or one request was cut), so a person rarely sees the page; a second one within
 * the minute shows it, so a console that cannot load never reloads in a loop.
 */
export function reloadsOnItsOwn(storage: Pick<Storage, 'getItem' | 'setItem'>, now = Date.now()): boolean {
  const last = Number(storage.getItem(AUTO_RELOAD_KEY) ?? 0);
  if (now - last < AUTO_RELOAD_WINDOW_MS) return false;
  storage.setItem(AUTO_RELOAD_KEY, String(now));
  return true;
}

/**
 * RouteErrorPage replaces React Router's developer error page: a part of the console that could not be
 * downloaded offers a reload (a new deploy has usually replaced the old files); anything else gets a plain
 * sentence and a way home. The error's message and stack are never shown.
 */
export function RouteErrorPage({ reload = () => window.location.reload() }: { reload?: () => void } = {}) {
  const error = useRouteError();
  const chunk = isChunkLoadError(error);
  useEffect(() => {
    if (chunk && reloadsOnItsOwn(window.sessionStorage)) reload();
  }, [chunk, reload]);

  if (chunk) {
    return (
      <Stack p="md" align="flex-start">
        <PageHeader title="This page could not be loaded" />
        <Text>
          The console may have been updated since this tab was opened, or the connection dropped. Reloading fetches the
          current version.
        </Text>
        <Button onClick={reload}>Reload</Button>
      </Stack>
    );
  }

  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Stack p="md" align="flex-start">
        <PageHeader title="Not found" />
        <Text>This page does not exist, or you do not have access to it.</Text>
        <Anchor component={Link} to="/">
          Back to the start page
        </Anchor>
      </Stack>
    );
  }

  return (
    <Stack p="md" align="flex-start">
      <PageHeader title="Something went wrong" />
      <Text>
        This page stopped working because of a problem in the console. Try again, or go back to the start page.
      </Text>
      <Anchor component={Link} to="/">
        Back to the start page
      </Anchor>
    </Stack>
  );
}

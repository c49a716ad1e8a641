import { Center, Loader } from '@mantine/core';

/** PageLoader fills the space of a view whose code or data is still on its way. */
export function PageLoader() {
  return (
    <Center py="xl" role="status" aria-label="Loading">
      <Loader size="md" />
    </Center>
  );
}

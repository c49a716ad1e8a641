import { Anchor, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '../../ui/PageHeader';

/**
 * NotFoundPage answers an unknown URL and a thing the user may not see alike: the API never says whether
 * another tenant's site exists, so neither does the console.
 */
export function NotFoundPage({ what = 'page' }: { what?: string }) {
  return (
    <Stack>
      <PageHeader title="Not found" />
      <Text>This {what} does not exist, or you do not have access to it.</Text>
      <Anchor component={Link} to="/">
        Back to the start page
      </Anchor>
    </Stack>
  );
}

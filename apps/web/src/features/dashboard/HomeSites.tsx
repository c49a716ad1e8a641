import type { ReactNode } from 'react';
import { Anchor, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { TSite } from '@berth/contracts';
import { EmptyNote } from '../../ui/QueryState';
import { SiteCertificate } from './SiteCertificate';
import { VisitLink } from './VisitLink';

/**
 * HomeSites is each of a tenant's sites on its home: name, status (drawn by `status`, the Sites area's badge),
 * the certificate of its address and a link to visit it.
 */
export function HomeSites({ sites, status }: { sites: readonly TSite[]; status: (site: TSite) => ReactNode }) {
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="sm">
        Your sites{' '}
        <Anchor component={Link} to="/sites" size="sm" fw={400}>
          (all sites)
        </Anchor>
      </Title>
      {sites.length === 0 ? (
        <EmptyNote>
          No site yet.{' '}
          <Anchor component={Link} to="/sites">
            Create your first site
          </Anchor>
          .
        </EmptyNote>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }} role="list" aria-label="Your sites">
          {sites.map((site) => (
            <Paper key={site.id} withBorder p="sm" role="listitem" aria-label={site.name}>
              <Stack gap={6}>
                <Group justify="space-between" wrap="wrap" gap="xs">
                  <Anchor component={Link} to={`/sites/${site.id}`} fw={600}>
                    {site.name}
                  </Anchor>
                  {status(site)}
                </Group>
                {site.statusMessage && (
                  <Text size="sm" c="dimmed">
                    {site.statusMessage}
                  </Text>
                )}
                <Group gap="xs" wrap="nowrap" align="flex-start">
                  <Text size="sm" c="dimmed" style={{ flexShrink: 0 }}>
                    Certificate:
                  </Text>
                  <SiteCertificate site={site} />
                </Group>
                <VisitLink site={site} />
              </Stack>
            </Paper>
          ))}
        </SimpleGrid>
      )}
    </Paper>
  );
}

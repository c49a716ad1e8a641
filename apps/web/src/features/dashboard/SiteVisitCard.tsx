import { Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import type { TSite } from '@berth/contracts';
import { SiteCertificate } from './SiteCertificate';
import { VisitLink } from './VisitLink';

/** SiteVisitCard is the top of a site's overview as visitors meet it: its address to visit and its certificate. */
export function SiteVisitCard({ site }: { site: TSite }) {
  return (
    <Paper withBorder p="md" aria-label="Address and certificate" role="region">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Stack gap={2}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Address
          </Text>
          <VisitLink site={site} />
        </Stack>
        <Stack gap={2}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Certificate
          </Text>
          <SiteCertificate site={site} />
        </Stack>
      </SimpleGrid>
    </Paper>
  );
}

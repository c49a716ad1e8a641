import type { ReactNode } from 'react';
import { Alert, Button, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useNavigate } from 'react-router';
import type { TSite } from '@berth/contracts';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { formatDate } from '../../ui/dates';
import { Hostname } from '../../ui/Hostname';
import { errorText } from '../../ui/QueryState';
import { runtimeLabel } from './runtimeLabel';
import { SiteStatusBadge } from './SiteStatusBadge';
import { isInProgress, useDeleteSite, useRetrySite } from '../../queries/sites';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <div>{children}</div>
    </Stack>
  );
}

/**
 * SiteOverview shows where a site stands (with the reason and a Retry button when provisioning failed or
 * visitors get errors) and deletes it.
 */
export function SiteOverview({ site }: { site: TSite }) {
  const navigate = useNavigate();
  const [deleting, { open, close }] = useDisclosure(false);
  const remove = useDeleteSite();
  return (
    <Stack>
      {(site.status === 'failed' || site.status === 'degraded') && <RetryAlert site={site} status={site.status} />}
      {isInProgress(site) && (
        <Alert color="blue" variant="light" title="Being set up" aria-live="polite">
          {site.statusMessage ?? 'The panel is preparing this site; this page updates by itself.'}
        </Alert>
      )}
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          <Fact label="Status">
            <SiteStatusBadge status={site.status} />
          </Fact>
          <Fact label="Runtime">
            <Text data-testid="overview-runtime">{runtimeLabel(site.runtime)}</Text>
          </Fact>
          <Fact label="Domains">
            {site.domains.length === 0 ? (
              <Text>none yet</Text>
            ) : (
              site.domains.map((d) => <Hostname key={d} hostname={d} size="md" />)
            )}
          </Fact>
          <Fact label="Created">
            <Text>{formatDate(site.createdAt)}</Text>
          </Fact>
        </SimpleGrid>
      </Paper>
      <Group>
        <Button color="red" variant="outline" onClick={open}>
          Delete site
        </Button>
      </Group>
      <ConfirmModal
        opened={deleting}
        onClose={close}
        title={`Delete ${site.name}?`}
        confirmLabel="Delete site"
        typedConfirmation={site.name}
        pending={remove.isPending}
        error={remove.error ? errorText(remove.error) : null}
        onConfirm={() =>
          remove.mutate(site.id, {
            onSuccess: () => {
              close();
              void navigate('/sites');
            },
          })
        }
      >
        The site, its domains and its settings are removed. Its files are deleted by the panel. This cannot be undone.
      </ConfirmModal>
    </Stack>
  );
}

const RETRY_ALERTS = {
  failed: { color: 'red', title: 'Provisioning failed', after: 'The panel also retries by itself.' },
  degraded: {
    color: 'orange',
    title: 'Visitors get errors right now',
    after:
      'The panel keeps checking and shows it live once visitors are served again; Retry now sets it up again at once.',
  },
} as const;

/**
 * RetryAlert says why a site is failed (provisioning did not succeed) or degraded (visitors get an error
 * from the edge) and offers to set it up again now.
 */
function RetryAlert({ site, status }: { site: TSite; status: keyof typeof RETRY_ALERTS }) {
  const retry = useRetrySite(site.id);
  const { color, title, after } = RETRY_ALERTS[status];
  return (
    <Alert color={color} title={title} role="alert">
      <Stack gap="xs">
        <Text size="sm">{site.statusMessage ?? 'No reason was recorded.'}</Text>
        <Text size="sm">{after}</Text>
        <Group gap="xs">
          <Button size="xs" variant="white" color={color} loading={retry.isPending} onClick={() => retry.mutate()}>
            Retry now
          </Button>
          {retry.isError && <Text size="sm">{errorText(retry.error)}</Text>}
        </Group>
      </Stack>
    </Alert>
  );
}

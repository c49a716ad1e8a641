import { Button, Code, Group, Paper, Stack, Switch, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { TCronJob } from '@berth/contracts';
import { EmptyNote } from '../../ui/QueryState';
import { formatDuration, formatUtc } from './cronLabels';
import { RunStatusBadge } from './RunStatusBadge';

export interface CronJobsTableProps {
  jobs: readonly TCronJob[];
  /** Site names by id (with the tenant for operators looking at every tenant). */
  siteNames: Map<string, string>;
  empty: string;
  /** The job whose on/off switch is being sent. */
  toggling?: string | undefined;
  /** The job whose Run now is being sent. */
  starting?: string | undefined;
  onToggle: (job: TCronJob, enabled: boolean) => void;
  onRun: (job: TCronJob) => void;
  onRuns: (job: TCronJob) => void;
  onEdit: (job: TCronJob) => void;
  onDelete: (job: TCronJob) => void;
}

function Schedule({ job }: { job: TCronJob }) {
  return (
    <Stack gap={0}>
      <Code className="mono" style={{ whiteSpace: 'nowrap' }}>
        {job.schedule}
      </Code>
      {job.description !== job.schedule && (
        <Text size="xs" c="dimmed">
          {job.description}
        </Text>
      )}
    </Stack>
  );
}

/** Command shows the command on one line, cut to the column's width, with the whole of it on hover. */
function Command({ job }: { job: TCronJob }) {
  return (
    <Text size="sm" className="mono" truncate="end" maw={260} title={job.command}>
      {job.command}
    </Text>
  );
}

function NextRun({ job }: { job: TCronJob }) {
  if (!job.enabled)
    return (
      <Text size="sm" c="dimmed">
        paused
      </Text>
    );
  return <Text size="sm">{formatUtc(job.nextRunAt)}</Text>;
}

function LastRun({ job }: { job: TCronJob }) {
  const run = job.lastRun;
  if (!run)
    return (
      <Text size="sm" c="dimmed">
        never run
      </Text>
    );
  const facts = [
    run.exitCode === null ? null : `exit ${run.exitCode}`,
    run.durationMs === null ? null : formatDuration(run.durationMs),
  ].filter(Boolean);
  return (
    <Stack gap={2}>
      <RunStatusBadge status={run.status} />
      <Text size="xs" c="dimmed">
        {[formatUtc(run.startedAt), ...facts].join(' · ')}
      </Text>
    </Stack>
  );
}

/**
 * CronJobsTable lists cron jobs with their site, schedule, command, next and last run, an on/off switch and
 * their actions (as cards on a phone, so the actions stay in view).
 */
export function CronJobsTable(props: CronJobsTableProps) {
  const { jobs, siteNames, empty, toggling, starting, onToggle, onRun, onRuns, onEdit, onDelete } = props;
  const phone = useMediaQuery('(max-width: 36em)');
  const siteOf = (job: TCronJob) => siteNames.get(job.siteId) ?? job.siteId;

  const enabled = (job: TCronJob) => (
    <Switch
      aria-label={`Run ${job.name} on its schedule`}
      checked={job.enabled}
      disabled={toggling === job.id}
      onChange={(e) => onToggle(job, e.currentTarget.checked)}
    />
  );
  const actions = (job: TCronJob) => (
    <Group gap={4} wrap="wrap">
      <Button
        size="xs"
        variant="light"
        loading={starting === job.id}
        disabled={job.lastRun?.status === 'running'}
        onClick={() => onRun(job)}
        aria-label={`Run now: ${job.name}`}
      >
        Run now
      </Button>
      <Button size="xs" variant="subtle" onClick={() => onRuns(job)} aria-label={`Runs of ${job.name}`}>
        Runs
      </Button>
      <Button size="xs" variant="subtle" onClick={() => onEdit(job)} aria-label={`Edit ${job.name}`}>
        Edit
      </Button>
      <Button size="xs" variant="subtle" color="red" onClick={() => onDelete(job)} aria-label={`Delete ${job.name}`}>
        Delete
      </Button>
    </Group>
  );

  if (jobs.length === 0) return <EmptyNote>{empty}</EmptyNote>;
  if (phone)
    return (
      <Stack gap="sm" role="list" aria-label="Cron jobs">
        {jobs.map((job) => (
          <Paper key={job.id} withBorder p="sm" role="listitem" data-job-name={job.name}>
            <Group justify="space-between" wrap="nowrap">
              <Text fw={600}>{job.name}</Text>
              {enabled(job)}
            </Group>
            <Text size="sm" c="dimmed">
              Site {siteOf(job)}
            </Text>
            <Group gap="xs" mt={4}>
              <Schedule job={job} />
            </Group>
            <Command job={job} />
            <Group gap="xs" mt={4}>
              <Text size="sm">Next run:</Text>
              <NextRun job={job} />
            </Group>
            <Text size="sm" mt={4}>
              Last run:
            </Text>
            <LastRun job={job} />
            <Group mt="xs">{actions(job)}</Group>
          </Paper>
        ))}
      </Stack>
    );
  return (
    <Table.ScrollContainer minWidth={1040}>
      <Table striped aria-label="Cron jobs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Site</Table.Th>
            <Table.Th scope="col">Schedule (UTC)</Table.Th>
            <Table.Th scope="col">Command</Table.Th>
            <Table.Th scope="col">Next run</Table.Th>
            <Table.Th scope="col">Last run</Table.Th>
            <Table.Th scope="col">Enabled</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.map((job) => (
            <Table.Tr key={job.id} data-job-name={job.name}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {job.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{siteOf(job)}</Text>
              </Table.Td>
              <Table.Td>
                <Schedule job={job} />
              </Table.Td>
              <Table.Td>
                <Command job={job} />
              </Table.Td>
              <Table.Td>
                <NextRun job={job} />
              </Table.Td>
              <Table.Td>
                <LastRun job={job} />
              </Table.Td>
              <Table.Td>{enabled(job)}</Table.Td>
              <Table.Td>{actions(job)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

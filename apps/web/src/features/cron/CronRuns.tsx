import { Code, Group, Modal, Paper, ScrollArea, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { CRON_OUTPUT_MAX_BYTES, CRON_RUNS_KEPT, type TCronJob, type TCronRun } from '@berth/contracts';
import { useCronRuns } from '../../queries/cron';
import { EmptyNote, QueryState } from '../../ui/QueryState';
import { formatDuration, formatUtc, RUN_TRIGGER_LABELS } from './cronLabels';
import { RunStatusBadge } from './RunStatusBadge';

/** CronRunsModal shows a job's last runs; nothing is read until a job is chosen. */
export function CronRunsModal({ job, onClose }: { job: TCronJob | null; onClose: () => void }) {
  const phone = useMediaQuery('(max-width: 36em)');
  return (
    <Modal
      opened={job !== null}
      onClose={onClose}
      title={job ? `Runs of ${job.name}` : ''}
      size="xl"
      fullScreen={phone}
    >
      {job && <CronRuns jobId={job.id} />}
    </Modal>
  );
}

function RunFacts({ run }: { run: TCronRun }) {
  const facts = [
    RUN_TRIGGER_LABELS[run.trigger],
    `started ${formatUtc(run.startedAt)}`,
    run.durationMs === null ? null : `took ${formatDuration(run.durationMs)}`,
    run.exitCode === null ? null : `exit code ${run.exitCode}`,
  ].filter(Boolean);
  return (
    <Text size="sm" c="dimmed">
      {facts.join(' · ')}
    </Text>
  );
}

function Run({ run }: { run: TCronRun }) {
  return (
    <Paper withBorder p="sm" data-run-id={run.id}>
      <Stack gap={6}>
        <Group gap="sm" wrap="wrap">
          <RunStatusBadge status={run.status} />
          <RunFacts run={run} />
        </Group>
        {run.message && <Text size="sm">{run.message}</Text>}
        {run.truncated && (
          <Text size="xs" c="dimmed">
            (output truncated: last {CRON_OUTPUT_MAX_BYTES / 1024} KB)
          </Text>
        )}
        {run.output ? (
          <ScrollArea.Autosize mah={280} type="auto">
            <Code block className="mono" aria-label={`Output of the run started ${formatUtc(run.startedAt)}`}>
              {run.output}
            </Code>
          </ScrollArea.Autosize>
        ) : (
          <Text size="sm" c="dimmed">
            {run.status === 'running' ? 'No output yet.' : 'No output.'}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

/**
 * CronRuns lists a job's last runs, newest first: how each went, when, how long, its exit code and its output
 * (the last 64 KB of it, said so when cut), refreshing while one is going.
 */
export function CronRuns({ jobId }: { jobId: string }) {
  const runs = useCronRuns(jobId);
  return (
    <QueryState query={runs} label="runs">
      {(list) =>
        list.items.length === 0 ? (
          <EmptyNote>No runs yet. The job runs at its next scheduled time, or use Run now.</EmptyNote>
        ) : (
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              The last {CRON_RUNS_KEPT} runs are kept, with their output. Times are in UTC.
            </Text>
            {list.items.map((run) => (
              <Run key={run.id} run={run} />
            ))}
          </Stack>
        )
      }
    </QueryState>
  );
}

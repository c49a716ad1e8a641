import { describeCron, minIntervalMinutes, nextRun, parseCron, type TCronRun, type TSite } from '@berth/contracts';

type TRunStatus = TCronRun['status'];

/** RUN_STATUS_LABELS say a run's outcome in words (a badge's colour is never the only signal). */
export const RUN_STATUS_LABELS: Record<TRunStatus, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  'timed-out': 'Timed out',
  skipped: 'Skipped',
};

export const RUN_STATUS_COLORS: Record<TRunStatus, string> = {
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  'timed-out': 'orange',
  skipped: 'gray',
};

export const RUN_TRIGGER_LABELS: Record<TCronRun['trigger'], string> = {
  schedule: 'On schedule',
  manual: 'Run now',
};

const UTC = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/**
 * formatUtc shows a time the way the schedules are written: in UTC, said so ("1 Dec 2026, 03:00 UTC"), so a
 * job's next run reads the same as its schedule whatever the reader's time zone.
 */
export function formatUtc(iso: string | Date | null): string {
  if (iso === null) return '—';
  return `${UTC.format(typeof iso === 'string' ? new Date(iso) : iso)} UTC`;
}

/** formatDuration says how long a run took: "420 ms", "3.5 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
}

/** SchedulePreview is what a schedule being typed means: its words and next runs, or what to change. */
export type SchedulePreview =
  | {
      ok: true;
      description: string;
      next: Date[];
      /** The least number of minutes between two runs, which the plan bounds. */
      everyMinutes: number;
    }
  | { ok: false; message: string };

/** previewSchedule reads a schedule with the same parser the API uses, and lists its next `count` runs. */
export function previewSchedule(expression: string, now: Date, count = 3): SchedulePreview {
  const parsed = parseCron(expression, { now });
  if (!parsed.ok) return parsed;
  const next: Date[] = [];
  let after = now;
  for (let i = 0; i < count; i++) {
    after = nextRun(parsed.schedule, after);
    next.push(after);
  }
  return {
    ok: true,
    description: describeCron(parsed.schedule),
    next,
    everyMinutes: minIntervalMinutes(parsed.schedule),
  };
}

/** canRunJobs: a job runs in a PHP, Node.js or Python site; a static site has no runtime to run a command in. */
export function canRunJobs(site: Pick<TSite, 'runtime'>): boolean {
  return site.runtime.kind !== 'static';
}

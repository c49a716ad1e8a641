import { Text } from '@mantine/core';
import { formatUtc, previewSchedule } from './cronLabels';

/**
 * ScheduleHelp is the schedule field's live description: what the schedule means and its next three runs (UTC),
 * or the parser's sentence saying what to change; and the plan's least interval when the schedule is tighter.
 */
export function ScheduleHelp({ schedule, minMinutes }: { schedule: string; minMinutes?: number }) {
  if (schedule.trim() === '')
    return (
      <Text size="xs" component="span">
        Five fields in UTC: minute hour day-of-month month day-of-week, e.g. */15 * * * * or 30 3 * * *; or @daily.
      </Text>
    );
  const preview = previewSchedule(schedule, new Date());
  if (!preview.ok)
    return (
      <Text size="xs" component="span" c="orange.9" data-testid="schedule-preview">
        {preview.message}
      </Text>
    );
  const tooOften = minMinutes !== undefined && preview.everyMinutes < minMinutes;
  return (
    <span data-testid="schedule-preview">
      <Text size="xs" component="span" display="block">
        Runs {preview.description} (UTC). Next runs:
      </Text>
      {preview.next.map((date) => (
        <Text key={date.toISOString()} size="xs" component="span" display="block" pl="sm">
          {formatUtc(date)}
        </Text>
      ))}
      {tooOften && (
        <Text size="xs" component="span" display="block" c="orange.9">
          The plan runs a job at most every {minMinutes} minutes; this schedule runs every {preview.everyMinutes}.
        </Text>
      )}
    </span>
  );
}

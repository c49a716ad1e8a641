import type { TEvent } from '@berth/contracts';

/** EventLine is one line of an events list: an event, or the newest of a run of the panel's own repeats. */
export interface EventLine {
  /** The newest event of the run (the one shown). */
  event: TEvent;
  /** How many events the line stands for (1 for a single event). */
  count: number;
  /** When the oldest event of the run happened. */
  firstAt: string;
}

function sameRepeat(a: TEvent, b: TEvent): boolean {
  return (
    a.actor === 'system' &&
    b.actor === 'system' &&
    a.action === b.action &&
    a.targetType === b.targetType &&
    a.targetId === b.targetId &&
    a.result === b.result
  );
}

/**
 * collapseRetries folds consecutive events of the panel itself (actor `system`) with the same action, target
 * and result into one line with a count: a reconciler retrying a failing pass 14 times reads as one line,
 * "Retried 14 times". People's own actions are never folded, and a different event in between ends a run.
 */
export function collapseRetries(events: readonly TEvent[]): EventLine[] {
  const lines: EventLine[] = [];
  for (const event of events) {
    const last = lines.at(-1);
    if (last && sameRepeat(last.event, event)) {
      last.count += 1;
      last.firstAt = event.at;
    } else {
      lines.push({ event, count: 1, firstAt: event.at });
    }
  }
  return lines;
}

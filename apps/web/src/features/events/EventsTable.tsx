import { Badge, Stack, Table, Text } from '@mantine/core';
import type { TEvent } from '@berth/contracts';
import { formatDate, formatElapsed } from '../../ui/dates';
import { EmptyNote } from '../../ui/QueryState';
import { collapseRetries } from './collapseRetries';
import { actorLabel, describeEvent } from './describeEvent';

// Mantine cuts a badge's label with an ellipsis when its cell is narrow; a result must always be read whole.
const WHOLE = {
  root: { flexShrink: 0, overflow: 'visible', height: 'auto', minHeight: 'var(--badge-height)' },
  label: { overflow: 'visible', textOverflow: 'clip', whiteSpace: 'normal' },
} as const;

function resultWords(event: TEvent): { label: string; color: string } {
  if (event.result === 'ok') return { label: 'Done', color: 'green' };
  return { label: event.targetType === 'request' ? 'Refused' : 'Failed', color: 'red' };
}

/**
 * EventsTable shows audit events, newest first, in words: what happened to what (and what changed), whether it
 * worked, and who did it. The panel's own repeated attempts are one line with a count.
 */
export function EventsTable({ events, empty, now = Date.now() }: { events: TEvent[]; empty: string; now?: number }) {
  if (events.length === 0) return <EmptyNote>{empty}</EmptyNote>;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped aria-label="Events" data-testid="events-table" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">When</Table.Th>
            <Table.Th scope="col">What happened</Table.Th>
            <Table.Th scope="col">Result</Table.Th>
            <Table.Th scope="col">Who</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {collapseRetries(events).map(({ event, count }) => {
            const words = describeEvent(event);
            const result = resultWords(event);
            return (
              <Table.Tr key={event.id} data-action={event.action}>
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <Text size="sm">
                    <time dateTime={event.at}>{formatDate(event.at)}</time>
                  </Text>
                </Table.Td>
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <Stack gap={2}>
                    <Text size="sm" fw={500} data-testid="event-summary">
                      {words.summary}
                    </Text>
                    {words.change && (
                      <Text size="sm" data-testid="event-change">
                        {words.change}
                      </Text>
                    )}
                    <Text size="xs" c="dimmed" className="mono" style={{ overflowWrap: 'anywhere' }}>
                      {event.action}
                    </Text>
                    {count > 1 && (
                      <Text size="sm" c="dimmed" data-testid="event-repeats">
                        Retried {count} times, last {formatElapsed(event.at, now)} ago
                      </Text>
                    )}
                    {event.message && (
                      <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                        {event.message}
                      </Text>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <Badge color={result.color} variant="light" styles={WHOLE}>
                    {result.label}
                  </Badge>
                </Table.Td>
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="event-actor">
                    {actorLabel(event)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

import { Badge, Table, Text } from '@mantine/core';
import type { TEvent } from '@berth/contracts';
import { formatDate } from '../../ui/dates';
import { EmptyNote } from '../../ui/QueryState';

/** EventsTable shows audit events, newest first, with the result in words and colour. */
export function EventsTable({ events, empty }: { events: TEvent[]; empty: string }) {
  if (events.length === 0) return <EmptyNote>{empty}</EmptyNote>;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table striped aria-label="Events" data-testid="events-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">When</Table.Th>
            <Table.Th scope="col">Action</Table.Th>
            <Table.Th scope="col">Result</Table.Th>
            <Table.Th scope="col">Who</Table.Th>
            <Table.Th scope="col">Target</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((event) => (
            <Table.Tr key={event.id}>
              <Table.Td>
                <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                  {formatDate(event.at)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" className="mono nowrap">
                  {event.action}
                </Text>
                {event.message && (
                  <Text size="xs" c="dimmed">
                    {event.message}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge color={event.result === 'ok' ? 'green' : 'red'} variant="light">
                  {event.result}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm" className="mono nowrap">
                  {event.actor}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" className="nowrap">
                  {event.targetType}
                  {event.targetId ? ` ${event.targetId}` : ''}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

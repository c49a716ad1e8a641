import { Anchor, Paper, Skeleton, Text } from '@mantine/core';
import { Link } from 'react-router';

/** CountCard is one number on the dashboard (a list's total) linking to the list. */
export interface CountCardProps {
  label: string;
  /** The number, or undefined while it loads; null when it could not be loaded. */
  value: number | null | undefined;
  to: string;
  /** Colour of a non-zero value (failures in red). */
  tone?: string;
}

export function CountCard({ label, value, to, tone }: CountCardProps) {
  return (
    <Paper withBorder p="md">
      <Anchor component={Link} to={to} size="sm" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Anchor>
      {value === undefined ? (
        <Skeleton h={32} mt={4} w={60} />
      ) : (
        <Text fz={28} fw={700} c={tone && value ? tone : undefined} data-testid={`count-${label}`}>
          {value === null ? '?' : value}
        </Text>
      )}
    </Paper>
  );
}

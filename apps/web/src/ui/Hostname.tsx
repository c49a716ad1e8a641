import { Text, type MantineSize } from '@mantine/core';

/**
 * Hostname shows a domain name on one line in the monospace face: it never breaks mid-word
 * ("shop1.tes t"); when the column is too narrow it is cut with an ellipsis and the full name is in the
 * tooltip. Every place that lists hostnames uses it, so they all behave alike.
 */
export function Hostname({ hostname, size = 'sm' }: { hostname: string; size?: MantineSize }) {
  return (
    <Text
      component="span"
      display="block"
      size={size}
      className="mono"
      truncate="end"
      maw="100%"
      title={hostname}
      style={{ wordBreak: 'keep-all', whiteSpace: 'nowrap' }}
    >
      {hostname}
    </Text>
  );
}

import { AppError } from '../errors.js';

/** PORT_PURPOSES: each tenant owns one port for its webserver and one for its Varnish (used when enabled). */
export const PORT_PURPOSES = ['web', 'cache'] as const;

/**
 * pickFreePorts returns the `count` lowest ports of `range` not in `taken`. The PortAllocation primary
 * key makes a concurrent double pick fail at insert, and the caller retries.
 */
export function pickFreePorts(
  range: { first: number; last: number },
  taken: Iterable<number>,
  count: number,
): number[] {
  const used = new Set(taken);
  const picked: number[] = [];
  for (let port = range.first; port <= range.last && picked.length < count; port++) {
    if (!used.has(port)) picked.push(port);
  }
  if (picked.length < count) {
    throw new AppError(
      'PORTS_EXHAUSTED',
      `No free port is left in ${range.first}-${range.last}; widen BERTH_PORT_RANGE.`,
    );
  }
  return picked;
}

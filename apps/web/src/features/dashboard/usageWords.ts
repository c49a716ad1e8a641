const UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

/**
 * formatBytes says a size in the largest 1024-based unit under which it stays at least 1 ("3.2 MB", "812 B"),
 * the rule the Databases and Backups views use; a feature does not import another, so it is repeated here.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/** countWords is a count against its limit in words: "2 of 3 sites", "1 of 1 database". */
export function countWords(used: number, limit: number, one: string, many: string): string {
  return `${used} of ${limit} ${limit === 1 ? one : many}`;
}

/** meterColor warns as a limit nears: orange from 80 %, red once it is reached. */
export function meterColor(used: number, limit: number): string {
  if (limit <= 0 || used >= limit) return 'red';
  return used / limit >= 0.8 ? 'orange' : 'blue';
}

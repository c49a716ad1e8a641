const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** formatDate shows an API timestamp in the reader's locale; null stays an explicit dash. */
export function formatDate(iso: string | null): string {
  return iso ? FORMAT.format(new Date(iso)) : '—';
}

/**
 * formatElapsed says roughly how long it has been since an API timestamp, as of `now` (ms): "4 min",
 * "2 h 5 min", "3 days"; for lines such as "failing for 4 min" (formatDate gives the exact time).
 */
export function formatElapsed(iso: string, now: number = Date.now()): string {
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  if (Number.isNaN(minutes)) return 'an unknown time';
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return days === 1 ? '1 day' : `${days} days`;
}

const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** formatDate shows an API timestamp in the reader's locale; null stays an explicit dash. */
export function formatDate(iso: string | null): string {
  return iso ? FORMAT.format(new Date(iso)) : '—';
}

import type { TSite } from '@berth/contracts';
import { useEvents } from '../../queries/events';
import { isInProgress, LIVE_POLL_MS } from '../../queries/sites';
import { QueryState } from '../../ui/QueryState';
import { EventsTable } from './EventsTable';

/** SiteActivity is the site's own audit trail, refreshing while the site is being provisioned. */
export function SiteActivity({ site }: { site: TSite }) {
  const events = useEvents({ targetId: site.id, limit: 50 }, { pollMs: isInProgress(site) ? LIVE_POLL_MS : false });
  return (
    <QueryState query={events} label="activity">
      {(page) => <EventsTable events={page.items} empty="Nothing has happened to this site yet." />}
    </QueryState>
  );
}

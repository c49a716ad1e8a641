import type { TSite } from '@berth/contracts';
import { EventsTable } from '../events/EventsTable';
import { useEvents } from '../events/useEvents';
import { QueryState } from '../../ui/QueryState';
import { isInProgress, LIVE_POLL_MS } from './useSites';

/** SiteActivity is the site's own audit trail, refreshing while the site is being provisioned. */
export function SiteActivity({ site }: { site: TSite }) {
  const events = useEvents({ targetId: site.id, limit: 50 }, { pollMs: isInProgress(site) ? LIVE_POLL_MS : false });
  return (
    <QueryState query={events} label="activity">
      {(page) => <EventsTable events={page.items} empty="Nothing has happened to this site yet." />}
    </QueryState>
  );
}

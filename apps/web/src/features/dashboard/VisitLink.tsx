import { Anchor, Text } from '@mantine/core';
import type { TSite } from '@berth/contracts';

/** VisitLink opens the site as visitors see it (its `url`, through the edge) in a new tab, or says why it cannot. */
export function VisitLink({ site }: { site: Pick<TSite, 'name' | 'url'> }) {
  if (!site.url)
    return (
      <Text size="sm" c="dimmed">
        Add a domain to visit this site
      </Text>
    );
  const host = site.url.replace(/^https?:\/\//, '');
  return (
    // The accessible name starts with the visible text (WCAG 2.5.3) and names the site after it.
    <Anchor
      href={site.url}
      target="_blank"
      rel="noopener noreferrer"
      size="sm"
      aria-label={`Visit site ${host}, site ${site.name}`}
      style={{ overflowWrap: 'anywhere' }}
    >
      Visit site <span className="mono">{host}</span>
    </Anchor>
  );
}

import { Loader, Text } from '@mantine/core';
import type { TSite } from '@berth/contracts';
import { formatDate } from '../../ui/dates';
import { useCertificate } from '../../queries/certificates';
import { useDomains } from '../../queries/domains';

function PrimaryCertificate({ domainId }: { domainId: string }) {
  const cert = useCertificate(domainId);
  if (cert.isPending) return <Loader size={14} aria-label="Loading certificate" />;
  if (cert.isError) return <Text size="sm">Could not be read</Text>;
  if (cert.data === null) return <Text size="sm">Not known yet</Text>;
  if (cert.data.error)
    return (
      <Text size="sm" c="red.8">
        {cert.data.error}
      </Text>
    );
  if (cert.data.notAfter)
    return (
      <Text size="sm">
        {cert.data.issuer ? `${cert.data.issuer}, valid` : 'Valid'} until {formatDate(cert.data.notAfter)}
      </Text>
    );
  return <Text size="sm">Not issued yet</Text>;
}

/**
 * SiteCertificate says where the certificate of a site's address (its primary domain) stands: issuer and
 * expiry as the edge serves it, the last error, or that the site has no HTTPS or no domain yet.
 */
export function SiteCertificate({ site }: { site: Pick<TSite, 'id' | 'url'> }) {
  const domains = useDomains(site.id);
  if (!site.url) return <Text size="sm">No domain yet</Text>;
  if (domains.isPending) return <Loader size={14} aria-label="Loading certificate" />;
  const primary = domains.data?.items.find((d) => d.kind === 'primary');
  if (domains.isError || !primary) return <Text size="sm">Could not be read</Text>;
  if (primary.tls === 'off') return <Text size="sm">No HTTPS (plain HTTP)</Text>;
  return <PrimaryCertificate domainId={primary.id} />;
}

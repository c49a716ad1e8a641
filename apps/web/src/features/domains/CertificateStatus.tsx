import { Loader, Text } from '@mantine/core';
import type { TDomain } from '@berth/contracts';
import { formatDate } from '../../ui/dates';
import { useCertificate } from '../../queries/certificates';

/** CertificateStatus shows a domain's certificate: issuer and expiry, the last error, or that nothing is known yet. */
export function CertificateStatus({ domain }: { domain: TDomain }) {
  const cert = useCertificate(domain.id);
  if (domain.tls === 'off')
    return (
      <Text size="sm" c="dimmed">
        No TLS
      </Text>
    );
  if (cert.isPending) return <Loader size={14} aria-label="Loading certificate" />;
  if (cert.isError)
    return (
      <Text size="sm" c="red">
        Could not be read
      </Text>
    );
  if (cert.data === null)
    return (
      <Text size="sm" c="dimmed">
        Not available yet
      </Text>
    );
  if (cert.data.error)
    return (
      <Text size="sm" c="red">
        {cert.data.error}
      </Text>
    );
  if (cert.data.notAfter) {
    return (
      <Text size="sm">
        {cert.data.issuer ?? 'Issued'}, valid until {formatDate(cert.data.notAfter)}
      </Text>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      Not issued yet
    </Text>
  );
}

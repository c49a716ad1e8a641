import { Badge, Button, Code, Stack, Text } from '@mantine/core';
import type { TDomain } from '@berth/contracts';
import { errorText } from '../../ui/QueryState';
import { useVerifyDomain } from '../../queries/domains';

/**
 * DomainVerification shows what a hostname waiting for its ownership check needs (the TXT record to
 * publish) and a button to check DNS now. Until then the edge neither serves the name nor asks for its
 * certificate. Verified hostnames show nothing.
 */
export function DomainVerification({ domain }: { domain: TDomain }) {
  const verify = useVerifyDomain(domain.siteId);
  const v = domain.verification;
  if (!v || v.status === 'verified') return null;
  return (
    <Stack gap={4} mt={4}>
      <Badge color="yellow" variant="light" w="fit-content">
        Ownership not verified
      </Badge>
      {v.recordName && v.recordValue && (
        <Text size="xs">
          Publish a TXT record <Code>{v.recordName}</Code> with the value <Code>{v.recordValue}</Code>, then check.
        </Text>
      )}
      <Button
        size="compact-xs"
        variant="light"
        w="fit-content"
        loading={verify.isPending}
        onClick={() => verify.mutate(domain.id)}
        aria-label={`Check DNS of ${domain.hostname}`}
      >
        Check DNS
      </Button>
      {verify.isError && (
        <Text size="xs" c="red" role="alert">
          {errorText(verify.error)}
        </Text>
      )}
    </Stack>
  );
}

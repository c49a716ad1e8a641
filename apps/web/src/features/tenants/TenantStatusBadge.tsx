import { Badge } from '@mantine/core';
import type { TTenant } from '@berth/contracts';

/** TenantStatusBadge shows whether an account is active or suspended, in words. */
export function TenantStatusBadge({ status }: { status: TTenant['status'] }) {
  return (
    <Badge color={status === 'active' ? 'green' : 'orange'} variant="light">
      {status}
    </Badge>
  );
}

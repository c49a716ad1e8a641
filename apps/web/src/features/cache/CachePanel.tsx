import { Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { TSite } from '@berth/contracts';
import { errorText, QueryState } from '../../ui/QueryState';
import { useTenant, useUpdateTenant } from '../../queries/tenants';
import { PurgeForm } from './PurgeForm';

/**
 * CachePanel switches the account's Varnish cache on or off (it sits in front of all the account's sites)
 * and purges this site's cached pages.
 */
export function CachePanel({ site }: { site: TSite }) {
  const tenant = useTenant(site.tenantId);
  const update = useUpdateTenant(site.tenantId);

  return (
    <Stack>
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="xs">
          Varnish cache
        </Title>
        <QueryState query={tenant} label="the account">
          {(account) => (
            <Stack gap="xs">
              <Switch
                label="Cache pages with Varnish for all sites of this account"
                checked={account.varnishEnabled}
                disabled={update.isPending}
                onChange={(e) =>
                  update.mutate(
                    { varnishEnabled: e.currentTarget.checked },
                    {
                      onSuccess: (saved) =>
                        notifications.show({
                          color: 'green',
                          message: `Varnish ${saved.varnishEnabled ? 'switched on' : 'switched off'}.`,
                        }),
                    },
                  )
                }
              />
              {update.isError && (
                <Text c="red.8" size="sm" role="alert">
                  {errorText(update.error)}
                </Text>
              )}
            </Stack>
          )}
        </QueryState>
      </Paper>
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="xs">
          Purge
        </Title>
        {tenant.data && <PurgeForm site={site} varnishEnabled={tenant.data.varnishEnabled} />}
      </Paper>
    </Stack>
  );
}

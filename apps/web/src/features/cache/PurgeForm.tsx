import { useState, type FormEvent } from 'react';
import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ZPurgeCacheRequest, type TSite } from '@berth/contracts';
import { isNotFound } from '../../api';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { NotAvailable } from '../../ui/NotAvailable';
import { usePurgeCache } from '../../queries/cache';

const FIELDS = ['url'] as const;

/** PurgeForm drops a site's cached pages: all of them, or the one URL given. */
export function PurgeForm({ site, varnishEnabled }: { site: TSite; varnishEnabled: boolean }) {
  const [url, setUrl] = useState('');
  const form = useFormErrors(ZPurgeCacheRequest, { fields: FIELDS });
  const purge = usePurgeCache(site.id);
  // The site was just read, so a 404 here is the route itself missing on an older panel.
  if (purge.isError && isNotFound(purge.error)) {
    return <NotAvailable feature="Cache purge" />;
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate(url.trim() ? { url: url.trim() } : {});
    if (!input) return;
    purge.mutate(input, {
      onSuccess: (answer) => {
        setUrl('');
        notifications.show({
          color: 'green',
          message: answer.purged.length > 0 ? `Purged ${answer.purged.join(', ')}.` : 'Nothing was cached.',
        });
      },
      onError: form.showServerError,
    });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Purge cache">
      <Stack gap="xs">
        <Text size="sm">Drop cached pages of {site.name}; the next visitors get fresh pages.</Text>
        <FormAlert message={form.formError} />
        <TextInput
          label="Only this URL (optional)"
          placeholder={site.domains[0] ? `https://${site.domains[0]}/page` : 'https://example.com/page'}
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          error={form.errors.url}
          disabled={!varnishEnabled}
          maw={480}
        />
        <Group>
          <Button type="submit" variant="outline" loading={purge.isPending} disabled={!varnishEnabled}>
            {url.trim() ? 'Purge this URL' : 'Purge everything'}
          </Button>
        </Group>
        {!varnishEnabled && (
          <Text size="sm" c="dimmed">
            Varnish is off for this account, so nothing is cached.
          </Text>
        )}
      </Stack>
    </form>
  );
}

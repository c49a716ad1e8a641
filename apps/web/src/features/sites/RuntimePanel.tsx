import { useState, type FormEvent } from 'react';
import { Button, Group, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ZUpdateSiteRequest, type TSite } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { QueryState } from '../../ui/QueryState';
import { useRuntimeCatalog, useSitePlan, useUpdateSite } from '../../queries/sites';

const FIELDS = ['runtime.version'] as const;

/** RuntimePanel switches a site's runtime version (PHP 7.4 / 8.2 / 8.4 side by side); the site is re-provisioned. */
export function RuntimePanel({ site }: { site: TSite }) {
  const catalog = useRuntimeCatalog();
  const plan = useSitePlan(site);
  const [version, setVersion] = useState(site.runtime.version);
  const form = useFormErrors(ZUpdateSiteRequest, {
    fields: FIELDS,
    codeFields: { VERSION_NOT_ALLOWED: 'runtime.version' },
  });
  const update = useUpdateSite(site.id);
  const label = site.runtime.kind === 'php' ? 'PHP version' : 'Version';

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({ runtime: { kind: site.runtime.kind, version } });
    if (!input) return;
    update.mutate(input, {
      onSuccess: (saved) =>
        notifications.show({
          color: 'green',
          message: `${site.name} now runs ${saved.runtime.version}; it is being re-provisioned.`,
        }),
      onError: form.showServerError,
    });
  }

  return (
    <Paper withBorder p="md" mb="md">
      <QueryState query={catalog} label="the runtime catalog">
        {(runtimes) => {
          const versions = runtimes.kinds.find((k) => k.kind === site.runtime.kind)?.versions ?? [site.runtime.version];
          const allowed = site.runtime.kind === 'php' && plan.data ? plan.data.phpVersions : versions;
          return (
            <form onSubmit={submit} noValidate aria-label={label}>
              <Stack gap="sm">
                <Title order={2} size="h4" id="runtime-version-label">
                  {label}
                </Title>
                <FormAlert message={form.formError} />
                <SegmentedControl
                  aria-labelledby="runtime-version-label"
                  value={version}
                  onChange={setVersion}
                  w="fit-content"
                  data={versions.map((v) => ({ value: v, label: v, disabled: !allowed.includes(v) }))}
                />
                {form.errors['runtime.version'] && (
                  <Text c="red.8" size="sm" role="alert">
                    {form.errors['runtime.version']}
                  </Text>
                )}
                <Text size="sm" c="dimmed">
                  Currently {site.runtime.version}. Switching restarts the site on the new version.
                </Text>
                <Group>
                  <Button type="submit" disabled={version === site.runtime.version} loading={update.isPending}>
                    Switch to {version}
                  </Button>
                </Group>
              </Stack>
            </form>
          );
        }}
      </QueryState>
    </Paper>
  );
}

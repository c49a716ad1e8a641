import { useMemo, useState, type FormEvent } from 'react';
import { Button, Group, NumberInput, Paper, SimpleGrid, Stack, Switch, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { z } from 'zod';
import { ZUpdateSiteRequest, type TPlan, type TSite } from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { numberOrUndefined } from '../../forms/numbers';
import { useFormErrors } from '../../forms/useFormErrors';
import { useSitePlan, useUpdateSite } from '../../queries/sites';

const NUMBERS = ['memoryLimitMb', 'uploadMaxMb', 'postMaxMb', 'maxExecutionSeconds'] as const;
type NumberField = (typeof NUMBERS)[number];
const FIELDS = [...NUMBERS.map((f) => `settings.php.${f}`), 'settings.php.displayErrors'];

const LABELS: Record<
  NumberField,
  { label: string; unit: string; planKey: 'phpMaxMemoryMb' | 'phpMaxUploadMb' | 'phpMaxExecSeconds' }
> = {
  memoryLimitMb: { label: 'memory_limit', unit: 'MB', planKey: 'phpMaxMemoryMb' },
  uploadMaxMb: { label: 'upload_max_filesize', unit: 'MB', planKey: 'phpMaxUploadMb' },
  postMaxMb: { label: 'post_max_size', unit: 'MB', planKey: 'phpMaxUploadMb' },
  maxExecutionSeconds: { label: 'max_execution_time', unit: 's', planKey: 'phpMaxExecSeconds' },
};

/**
 * withPlanBounds is the site update schema with the plan's upper bounds on the PHP settings: a value the server
 * would refuse (or a runtime would clamp) is refused on its field before anything is sent.
 */
export function withPlanBounds(plan: TPlan | undefined) {
  if (!plan) return ZUpdateSiteRequest;
  // Checked on the raw input first, so a value far over the plan is told the plan's bound (not only the schema's).
  return z
    .unknown()
    .superRefine((value, ctx) => {
      const php = (value as { settings?: { php?: Partial<Record<NumberField, unknown>> } }).settings?.php ?? {};
      for (const field of NUMBERS) {
        const { unit, planKey } = LABELS[field];
        const given = php[field];
        if (typeof given === 'number' && given > plan[planKey]) {
          ctx.addIssue({
            code: 'custom',
            path: ['settings', 'php', field],
            message: `At most ${plan[planKey]} ${unit} on this plan; a larger plan allows more.`,
          });
        }
      }
    })
    .pipe(ZUpdateSiteRequest);
}

/** PhpSettingsForm edits a PHP site's php.ini settings within the bounds of the tenant's plan. */
export function PhpSettingsForm({ site }: { site: TSite }) {
  const plan = useSitePlan(site);
  const current = site.settings.php ?? {};
  const [values, setValues] = useState<Record<NumberField, number | string>>(() => ({
    memoryLimitMb: current.memoryLimitMb ?? '',
    uploadMaxMb: current.uploadMaxMb ?? '',
    postMaxMb: current.postMaxMb ?? '',
    maxExecutionSeconds: current.maxExecutionSeconds ?? '',
  }));
  const [displayErrors, setDisplayErrors] = useState(current.displayErrors ?? false);
  const schema = useMemo(() => withPlanBounds(plan.data), [plan.data]);
  const form = useFormErrors(schema, { fields: FIELDS });
  const update = useUpdateSite(site.id);

  function submit(event: FormEvent) {
    event.preventDefault();
    const php: Record<string, number | boolean | undefined> = { displayErrors };
    for (const field of NUMBERS) php[field] = numberOrUndefined(values[field]);
    const input = form.validate({ settings: { php } });
    if (!input) return;
    update.mutate(input, {
      onSuccess: () =>
        notifications.show({ color: 'green', message: 'PHP settings saved; the site is being re-provisioned.' }),
      onError: form.showServerError,
    });
  }

  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} noValidate aria-label="PHP settings">
        <Stack gap="sm">
          <Title order={2} size="h4">
            PHP settings
          </Title>
          <FormAlert message={form.formError} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {NUMBERS.map((field) => {
              const { label, unit, planKey } = LABELS[field];
              const max = plan.data?.[planKey];
              return (
                <NumberInput
                  key={field}
                  label={`${label} (${unit})`}
                  placeholder="PHP default"
                  min={1}
                  max={max}
                  // Never change what was typed: a value over the plan gets its own message instead.
                  clampBehavior="none"
                  allowDecimal={false}
                  description={max ? `At most ${max} ${unit} on this plan.` : undefined}
                  value={values[field]}
                  onChange={(value) => setValues((v) => ({ ...v, [field]: value }))}
                  error={form.errors[`settings.php.${field}`]}
                />
              );
            })}
          </SimpleGrid>
          <Switch
            label="display_errors (show PHP errors to visitors; for debugging only)"
            checked={displayErrors}
            onChange={(e) => setDisplayErrors(e.currentTarget.checked)}
            error={form.errors['settings.php.displayErrors']}
          />
          <Group>
            <Button type="submit" loading={update.isPending}>
              Save PHP settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

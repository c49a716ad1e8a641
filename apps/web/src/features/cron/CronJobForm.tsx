import { useState, type FormEvent } from 'react';
import { Button, Group, NumberInput, Select, Stack, TextInput } from '@mantine/core';
import {
  ZCreateCronJobRequest,
  ZUpdateCronJobRequest,
  type TCronJob,
  type TCreateCronJobRequest,
  type TSite,
} from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { numberOrUndefined } from '../../forms/numbers';
import { useFormErrors } from '../../forms/useFormErrors';
import { useCreateCronJob, useUpdateCronJob } from '../../queries/cron';
import { useSitePlan } from '../../queries/sites';
import { ScheduleHelp } from './SchedulePreview';

const FIELDS = ['siteId', 'name', 'schedule', 'command', 'timeoutSeconds'] as const;
// The plan's least interval comes back as SETTING_OUT_OF_BOUNDS; it concerns the schedule even without issues.
const CODE_FIELDS = { SETTING_OUT_OF_BOUNDS: 'schedule' };
/** DEFAULT_TIMEOUT_SECONDS is what the API uses when a job is created without a timeout. */
const DEFAULT_TIMEOUT_SECONDS = 300;

export interface CronJobFormProps {
  /** The job to edit; without it the form creates one. */
  job?: TCronJob;
  /** Sites a job can run in (PHP, Node.js, Python), with the labels to show for them. */
  sites: readonly { site: TSite; label: string }[];
  onDone: (job: TCronJob) => void;
  onCancel: () => void;
}

/**
 * CronJobForm creates a cron job on a site, or edits one (sending only what changed). The schedule's meaning and
 * next runs show while it is typed; the server's word on it (the plan's least interval) shows at the field.
 */
export function CronJobForm({ job, sites, onDone, onCancel }: CronJobFormProps) {
  const [siteId, setSiteId] = useState<string | null>(job?.siteId ?? (sites.length === 1 ? sites[0]!.site.id : null));
  const [name, setName] = useState(job?.name ?? '');
  const [schedule, setSchedule] = useState(job?.schedule ?? '');
  const [command, setCommand] = useState(job?.command ?? '');
  const [timeoutSeconds, setTimeoutSeconds] = useState<number | string>(job?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  const createForm = useFormErrors(ZCreateCronJobRequest, { fields: FIELDS, codeFields: CODE_FIELDS });
  const editForm = useFormErrors(ZUpdateCronJobRequest, { fields: FIELDS, codeFields: CODE_FIELDS });
  const form = job ? editForm : createForm;
  const create = useCreateCronJob();
  const update = useUpdateCronJob();
  const site = sites.find((s) => s.site.id === siteId)?.site;
  const plan = useSitePlan({ tenantId: site?.tenantId ?? '' });

  function submit(event: FormEvent) {
    event.preventDefault();
    const values = { name, schedule, command, timeoutSeconds: numberOrUndefined(timeoutSeconds) };
    if (!job) {
      const input = createForm.validate({ ...values, siteId: siteId ?? '' } satisfies TCreateCronJobRequest);
      if (input) create.mutate(input, { onSuccess: onDone, onError: createForm.showServerError });
      return;
    }
    const changed = Object.fromEntries(
      Object.entries(values).filter(([key, value]) => job[key as keyof typeof values] !== value),
    );
    const input = editForm.validate(changed);
    if (input) update.mutate({ id: job.id, body: input }, { onSuccess: onDone, onError: editForm.showServerError });
  }

  return (
    <form onSubmit={submit} noValidate aria-label={job ? `Edit cron job ${job.name}` : 'Create cron job'}>
      <Stack gap="sm">
        <FormAlert message={form.formError} />
        <Select
          label="Site"
          description={
            job ? 'A job stays on its site.' : 'PHP, Node.js and Python sites; the command runs in the site’s runtime.'
          }
          placeholder="Pick a site"
          required
          searchable
          disabled={Boolean(job)}
          data={sites.map((s) => ({ value: s.site.id, label: s.label }))}
          value={siteId}
          onChange={setSiteId}
          error={form.errors.siteId}
          nothingFoundMessage="No PHP, Node.js or Python site"
        />
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={form.errors.name}
          data-autofocus
        />
        <TextInput
          label="Schedule (UTC)"
          required
          classNames={{ input: 'mono' }}
          value={schedule}
          onChange={(e) => setSchedule(e.currentTarget.value)}
          description={<ScheduleHelp schedule={schedule} minMinutes={plan.data?.cronMinIntervalMinutes} />}
          error={form.errors.schedule}
          autoComplete="off"
          spellCheck={false}
        />
        <TextInput
          label="Command"
          description="One line, run in the site’s folder as your account’s user, e.g. php artisan schedule:run"
          required
          classNames={{ input: 'mono' }}
          value={command}
          onChange={(e) => setCommand(e.currentTarget.value)}
          error={form.errors.command}
          autoComplete="off"
          spellCheck={false}
        />
        <NumberInput
          label="Timeout (seconds)"
          description="A run still going after this long is stopped."
          required
          allowDecimal={false}
          min={5}
          max={86_400}
          value={timeoutSeconds}
          onChange={setTimeoutSeconds}
          error={form.errors.timeoutSeconds}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending}>
            {job ? 'Save cron job' : 'Create cron job'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

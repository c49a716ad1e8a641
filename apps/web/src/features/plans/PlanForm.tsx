import { useState, type FormEvent } from 'react';
import { Button, Checkbox, Group, NumberInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import {
  BACKUP_SCHEDULES,
  PHP_VERSIONS,
  ZCreatePlanRequest,
  ZUpdatePlanRequest,
  type TBackupSchedule,
  type TPlan,
} from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { numberOrUndefined } from '../../forms/numbers';
import { useFormErrors } from '../../forms/useFormErrors';
import { useCreatePlan, useUpdatePlan } from '../../queries/plans';

/** LIMITS are the plan's numeric limits in form order, with the words and unit an operator reads. */
export const LIMITS = [
  { key: 'maxSites', label: 'Sites' },
  { key: 'maxDomains', label: 'Domains' },
  { key: 'maxDatabases', label: 'Databases' },
  { key: 'dbMaxConnections', label: 'Connections per database user' },
  { key: 'cpuMillicores', label: 'CPU (millicores)' },
  { key: 'memoryMb', label: 'Memory (MB)' },
  { key: 'diskMb', label: 'Disk (MB)' },
  { key: 'bandwidthGb', label: 'Bandwidth (GB/month)' },
  { key: 'pidsLimit', label: 'Processes' },
  { key: 'phpMaxMemoryMb', label: 'PHP memory_limit max (MB)' },
  { key: 'phpMaxUploadMb', label: 'PHP upload max (MB)' },
  { key: 'phpMaxExecSeconds', label: 'PHP max_execution_time max (s)' },
  { key: 'maxCronJobs', label: 'Cron jobs' },
  { key: 'cronMinIntervalMinutes', label: 'Cron: minutes between runs, at least' },
  { key: 'backupKeepDaily', label: 'Backups: daily snapshots kept' },
  { key: 'backupKeepWeekly', label: 'Backups: weekly snapshots kept' },
] as const;
type LimitKey = (typeof LIMITS)[number]['key'];

const DEFAULTS: Record<LimitKey, number> = {
  maxSites: 5,
  maxDomains: 20,
  maxDatabases: 5,
  dbMaxConnections: 15,
  cpuMillicores: 1000,
  memoryMb: 1024,
  diskMb: 10_240,
  bandwidthGb: 100,
  pidsLimit: 256,
  phpMaxMemoryMb: 256,
  phpMaxUploadMb: 64,
  phpMaxExecSeconds: 60,
  maxCronJobs: 10,
  cronMinIntervalMinutes: 5,
  backupKeepDaily: 7,
  backupKeepWeekly: 4,
};

/** BACKUP_SCHEDULE_OPTIONS are the plan's scheduled backups in words; they run at the panel's backup hour (UTC). */
const BACKUP_SCHEDULE_OPTIONS: { value: TBackupSchedule; label: string }[] = [
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
  { value: 'off', label: 'Off (manual backups only)' },
];

function isBackupSchedule(value: string | null): value is TBackupSchedule {
  return (BACKUP_SCHEDULES as readonly (string | null)[]).includes(value);
}

const FIELDS = ['name', 'phpVersions', 'backupSchedule', ...LIMITS.map((l) => l.key)];

/** PlanForm creates a plan, or edits one (sending only what changed); limits are checked by the shared schema. */
export function PlanForm({
  plan,
  onDone,
  onCancel,
}: {
  plan?: TPlan;
  onDone: (plan: TPlan) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(plan?.name ?? '');
  const [limits, setLimits] = useState<Record<LimitKey, number | string>>(() => {
    const start = { ...DEFAULTS };
    if (plan) for (const { key } of LIMITS) start[key] = plan[key];
    return start;
  });
  const [phpVersions, setPhpVersions] = useState<string[]>(plan?.phpVersions ?? [...PHP_VERSIONS]);
  const [backupSchedule, setBackupSchedule] = useState<TBackupSchedule>(plan?.backupSchedule ?? 'daily');
  const createForm = useFormErrors(ZCreatePlanRequest, { fields: FIELDS, codeFields: { PLAN_NAME_TAKEN: 'name' } });
  const editForm = useFormErrors(ZUpdatePlanRequest, { fields: FIELDS, codeFields: { PLAN_NAME_TAKEN: 'name' } });
  const form = plan ? editForm : createForm;
  const create = useCreatePlan();
  const update = useUpdatePlan(plan?.id ?? '');

  function submit(event: FormEvent) {
    event.preventDefault();
    const values: Record<string, unknown> = { name, phpVersions, backupSchedule };
    for (const { key } of LIMITS) values[key] = numberOrUndefined(limits[key]);
    if (!plan) {
      const input = createForm.validate(values as never);
      if (input) create.mutate(input, { onSuccess: onDone, onError: createForm.showServerError });
      return;
    }
    const changed = Object.fromEntries(
      Object.entries(values).filter(
        ([key, value]) => JSON.stringify(plan[key as keyof TPlan]) !== JSON.stringify(value),
      ),
    );
    const input = editForm.validate(changed);
    if (input) update.mutate(input, { onSuccess: onDone, onError: editForm.showServerError });
  }

  return (
    <form onSubmit={submit} noValidate aria-label={plan ? `Edit plan ${plan.name}` : 'Create plan'}>
      <Stack gap="sm">
        <FormAlert message={form.formError} />
        <TextInput
          label="Plan name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={form.errors.name}
          data-autofocus
        />
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          {LIMITS.map(({ key, label }) => (
            <NumberInput
              key={key}
              label={label}
              required
              allowDecimal={false}
              min={0}
              value={limits[key]}
              onChange={(value) => setLimits((l) => ({ ...l, [key]: value }))}
              error={form.errors[key]}
            />
          ))}
          <Select
            label="Scheduled backups"
            description="At the panel’s backup hour (UTC)"
            required
            allowDeselect={false}
            data={BACKUP_SCHEDULE_OPTIONS}
            value={backupSchedule}
            onChange={(value) => isBackupSchedule(value) && setBackupSchedule(value)}
            error={form.errors.backupSchedule}
          />
        </SimpleGrid>
        <Checkbox.Group
          label="PHP versions allowed"
          value={phpVersions}
          onChange={setPhpVersions}
          error={form.errors.phpVersions}
        >
          <Group mt={6}>
            {PHP_VERSIONS.map((v) => (
              <Checkbox key={v} value={v} label={`PHP ${v}`} />
            ))}
          </Group>
        </Checkbox.Group>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending}>
            {plan ? 'Save plan' : 'Create plan'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

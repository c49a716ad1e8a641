import { useMemo, useState } from 'react';
import { Alert, Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { TCronJob } from '@berth/contracts';
import { useCronJobs, useDeleteCronJob, useRunCronJob, useUpdateCronJob } from '../../queries/cron';
import { usePlan } from '../../queries/plans';
import { useUser } from '../../queries/session';
import { useSites } from '../../queries/sites';
import { useTenant, useTenants } from '../../queries/tenants';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { PageHeader } from '../../ui/PageHeader';
import { errorText, QueryState } from '../../ui/QueryState';
import { canRunJobs } from './cronLabels';
import { CronJobForm } from './CronJobForm';
import { CronJobsTable } from './CronJobsTable';
import { CronRunsModal } from './CronRuns';

/** CronPage is the Cron jobs view of the signed-in user: their account's, or every tenant's for operators. */
export function CronPage() {
  const user = useUser();
  return <CronPanel operator={user.role === 'admin'} tenantId={user.tenantId ?? undefined} />;
}

export interface CronPanelProps {
  /** Operators see every tenant's jobs, or narrow them to one tenant. */
  operator: boolean;
  /** The account owner's tenant, for the plan's limits. */
  tenantId?: string;
}

/** usePlanLine says how many of the plan's jobs an account owner has used and how often one may run. */
function usePlanLine(tenantId: string | undefined, count: number | undefined): string | null {
  const tenant = useTenant(tenantId);
  const plan = usePlan(tenant.data?.planId);
  if (count === undefined || !plan.data) return null;
  return `${count} of the ${plan.data.maxCronJobs} cron jobs of your plan used; a job runs at most every ${plan.data.cronMinIntervalMinutes} minutes.`;
}

/**
 * CronPanel lists the cron jobs of the account's sites with their next and last runs, creates and edits them
 * (with a live reading of the schedule), turns them on and off, runs one now, shows its runs and deletes it.
 */
export function CronPanel({ operator, tenantId }: CronPanelProps) {
  const [tenantFilter, setTenantFilter] = useState<string | undefined>();
  const filter = operator ? { tenantId: tenantFilter } : {};
  const jobs = useCronJobs(filter);
  const sites = useSites(filter);
  const tenants = useTenants({ limit: 500 }, { enabled: operator });
  const planLine = usePlanLine(operator ? undefined : tenantId, jobs.data?.items.length);
  const update = useUpdateCronJob();
  const run = useRunCronJob();
  const remove = useDeleteCronJob();
  const [editing, setEditing] = useState<TCronJob | 'new' | null>(null);
  const [viewing, setViewing] = useState<TCronJob | null>(null);
  const [deleting, setDeleting] = useState<TCronJob | null>(null);

  const slugs = useMemo(() => new Map((tenants.data?.items ?? []).map((t) => [t.id, t.slug])), [tenants.data]);
  const withTenant = operator && !tenantFilter;
  const siteNames = useMemo(
    () =>
      new Map(
        (sites.data?.items ?? []).map((s) => [
          s.id,
          withTenant ? `${s.name} (${slugs.get(s.tenantId) ?? s.tenantId})` : s.name,
        ]),
      ),
    [sites.data, slugs, withTenant],
  );
  const eligible = (sites.data?.items ?? [])
    .filter(canRunJobs)
    .map((site) => ({ site, label: siteNames.get(site.id) ?? site.name }));
  const problem = run.error ?? update.error;
  const close = () => setEditing(null);

  const empty =
    sites.data && eligible.length === 0
      ? 'No cron jobs yet. A job runs in a PHP, Node.js or Python site: create one first.'
      : 'No cron jobs yet. Create one to run a command on a schedule, e.g. a nightly clean-up script.';

  return (
    <>
      <PageHeader
        title="Cron jobs"
        description={[
          'Commands that run on a schedule in your sites’ runtime. Schedules and times are in UTC.',
          planLine,
        ]
          .filter(Boolean)
          .join(' ')}
        actions={<Button onClick={() => setEditing('new')}>Create cron job</Button>}
      />
      <Stack>
        {operator && (
          <Group gap="sm" align="flex-end">
            <Select
              label="Tenant"
              placeholder="Any tenant"
              clearable
              searchable
              w={220}
              data={(tenants.data?.items ?? []).map((t) => ({ value: t.id, label: t.slug }))}
              value={tenantFilter ?? null}
              onChange={(v) => setTenantFilter(v ?? undefined)}
            />
          </Group>
        )}
        {problem && (
          <Alert
            color="red"
            variant="light"
            role="alert"
            withCloseButton
            onClose={() => {
              run.reset();
              update.reset();
            }}
          >
            {errorText(problem)}
          </Alert>
        )}
        <QueryState query={jobs} label="cron jobs">
          {(list) => (
            <CronJobsTable
              jobs={list.items}
              siteNames={siteNames}
              empty={empty}
              toggling={update.isPending ? update.variables?.id : undefined}
              starting={run.isPending ? run.variables : undefined}
              onToggle={(job, enabled) => update.mutate({ id: job.id, body: { enabled } })}
              onRun={(job) =>
                run.mutate(job.id, {
                  onSuccess: () =>
                    notifications.show({
                      color: 'green',
                      message: `${job.name} started. Its output shows under Runs.`,
                    }),
                })
              }
              onRuns={setViewing}
              onEdit={setEditing}
              onDelete={setDeleting}
            />
          )}
        </QueryState>
      </Stack>
      <Modal
        opened={editing !== null}
        onClose={close}
        title={editing === 'new' ? 'Create cron job' : `Edit cron job ${editing?.name ?? ''}`}
        size="lg"
      >
        {editing !== null && (
          <CronJobForm
            key={editing === 'new' ? 'new' : editing.id}
            job={editing === 'new' ? undefined : editing}
            sites={eligible}
            onCancel={close}
            onDone={(job) => {
              close();
              notifications.show({ color: 'green', message: `${job.name} saved: it runs ${job.description}.` });
            }}
          />
        )}
      </Modal>
      <CronRunsModal job={viewing} onClose={() => setViewing(null)} />
      <ConfirmModal
        key={deleting?.id ?? 'none'}
        opened={deleting !== null}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        title={`Delete the cron job ${deleting?.name ?? ''}?`}
        confirmLabel="Delete cron job"
        pending={remove.isPending}
        error={remove.error ? errorText(remove.error) : null}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        It stops running, and its past runs and their output are deleted. The site and its files stay.
      </ConfirmModal>
      <Text size="xs" c="dimmed" mt="md">
        A run that is still going when the next one is due is skipped; runs of one job never overlap.
      </Text>
    </>
  );
}

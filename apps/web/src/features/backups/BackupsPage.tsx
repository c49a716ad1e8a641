import { useState } from 'react';
import { Alert, Button, Group, Select, Stack, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { TBackup, TPlan } from '@berth/contracts';
import { useBackUpAll, useBackUpNow, useBackups, useRestores, useTerminatedTenants } from '../../queries/backups';
import { usePlan } from '../../queries/plans';
import { useUser } from '../../queries/session';
import { useTenant, useTenants } from '../../queries/tenants';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyNote, errorText, QueryState } from '../../ui/QueryState';
import { BackupsTable } from './BackupsTable';
import { RestoreModal, type RestoreScope } from './RestoreModal';
import { RestoresTable } from './RestoresTable';
import { SnapshotBrowser } from './SnapshotBrowser';

/** BackupsPage is the Backups view of the signed-in user: their account's, or a picked tenant's for operators. */
export function BackupsPage() {
  const user = useUser();
  return <BackupsPanel operator={user.role === 'admin'} tenantId={user.tenantId ?? undefined} />;
}

export interface BackupsPanelProps {
  /** Operators pick the tenant whose backups they see, and may back up every tenant at once. */
  operator: boolean;
  /** The account owner's tenant. */
  tenantId?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * scheduleSentence says when the plan backs the account up and how many backups it keeps. The hour is the
 * panel's (BERTH_BACKUP_HOUR), which the API does not publish: it is read from the newest scheduled backup.
 */
export function scheduleSentence(plan: TPlan, backups: readonly TBackup[], whose: string): string {
  if (plan.backupSchedule === 'off') return `Scheduled backups are off on ${whose} plan.`;
  const scheduled = backups.find((b) => b.trigger === 'scheduled');
  const at = scheduled ? ` at ${pad(new Date(scheduled.createdAt).getUTCHours())}:00 UTC` : '';
  return (
    `Backups run ${plan.backupSchedule}${at} on ${whose} plan, which keeps the last ` +
    `${plan.backupKeepDaily} daily and ${plan.backupKeepWeekly} weekly backups.`
  );
}

/** emptyMessage says what to do when a tenant has no backup yet. */
function emptyMessage(plan: TPlan | undefined, whose: string): string {
  if (!plan) return 'No backups yet. Back up now makes one at once.';
  if (plan.backupSchedule === 'off')
    return `No backups yet. Scheduled backups are off on ${whose} plan; Back up now makes one at once.`;
  return `No backups yet. Backups run ${plan.backupSchedule} on ${whose} plan; Back up now makes one at once.`;
}

/**
 * BackupsPanel lists a tenant's backups and restores, backs up now, and restores the whole account, a site, a
 * database or a single file or folder (browsed in the backup) after saying what will be overwritten.
 */
export function BackupsPanel({ operator, tenantId }: BackupsPanelProps) {
  const [picked, setPicked] = useState<string | null>(null);
  const tenants = useTenants({ limit: 500 }, { enabled: operator });
  const terminatedTenants = useTerminatedTenants(operator);
  const current = operator ? (picked ?? undefined) : tenantId;
  const terminated = terminatedTenants.data?.items.find((t) => t.tenantId === current);
  const backups = useBackups(current);
  const restores = useRestores(current);
  const tenant = useTenant(current);
  const plan = usePlan(tenant.data?.planId);
  const backUp = useBackUpNow();
  const backUpAll = useBackUpAll();
  const [asking, setAsking] = useState<{ backup: TBackup; scope: RestoreScope } | null>(null);
  const [browsing, setBrowsing] = useState<TBackup | null>(null);
  const whose = operator ? 'this tenant’s' : 'your';
  const problem = backUp.error ?? backUpAll.error;

  const description = operator
    ? 'Back up a tenant’s sites, databases and panel records, and restore from a backup.'
    : [
        'Copies of your sites’ files and databases, to restore the whole account or just what went wrong.',
        plan.data && backups.data ? scheduleSentence(plan.data, backups.data.items, whose) : null,
      ]
        .filter(Boolean)
        .join(' ');

  return (
    <>
      <PageHeader
        title="Backups"
        description={description}
        actions={
          <>
            <Button
              disabled={!current || Boolean(terminated)}
              loading={backUp.isPending}
              onClick={() =>
                current &&
                backUp.mutate(current, {
                  onSuccess: () =>
                    notifications.show({ color: 'green', message: 'Backup queued. It appears below as it runs.' }),
                })
              }
            >
              Back up now
            </Button>
            {operator && (
              <Button
                variant="default"
                loading={backUpAll.isPending}
                onClick={() =>
                  backUpAll.mutate(undefined, {
                    onSuccess: ({ queued }) =>
                      notifications.show({
                        color: 'green',
                        message:
                          queued === 0
                            ? 'Every tenant already has a backup queued or running.'
                            : `Backups of ${queued} ${queued === 1 ? 'tenant' : 'tenants'} queued.`,
                      }),
                  })
                }
              >
                Back up every tenant
              </Button>
            )}
          </>
        }
      />
      <Stack>
        {problem && (
          <Alert
            color="red"
            variant="light"
            role="alert"
            withCloseButton
            onClose={() => {
              backUp.reset();
              backUpAll.reset();
            }}
          >
            {errorText(problem)}
          </Alert>
        )}
        {operator && (
          <Group gap="sm" align="flex-end">
            <Select
              label="Tenant"
              placeholder="Pick a tenant"
              searchable
              w={260}
              data={[
                {
                  group: 'Tenants',
                  items: (tenants.data?.items ?? []).map((t) => ({ value: t.id, label: `${t.slug} — ${t.name}` })),
                },
                {
                  group: 'Terminated (backups kept)',
                  items: (terminatedTenants.data?.items ?? []).map((t) => ({
                    value: t.tenantId,
                    label: `${t.tenantSlug} (terminated)`,
                  })),
                },
              ]}
              value={picked}
              onChange={setPicked}
              nothingFoundMessage={tenants.isPending ? 'Loading tenants…' : 'No tenant matches'}
            />
          </Group>
        )}
        {terminated && (
          <Alert variant="light" color="yellow">
            {`${terminated.tenantSlug} was terminated. Restoring the whole account from one of its backups makes it again: its users, sites, domains, databases, cron jobs and files.`}
          </Alert>
        )}
        {operator && plan.data && backups.data && (
          <Alert variant="light" color="gray">
            {scheduleSentence(plan.data, backups.data.items, whose)}
          </Alert>
        )}
        {!current ? (
          <EmptyNote>Pick a tenant to see its backups and restore from them.</EmptyNote>
        ) : (
          <>
            <section aria-labelledby="backups-heading">
              <Title order={2} size="h4" mb="sm" id="backups-heading">
                Backups
              </Title>
              <QueryState query={backups} label="backups">
                {(list) => (
                  <BackupsTable
                    backups={list.items}
                    empty={emptyMessage(plan.data, whose)}
                    onRestore={(backup, scope) => setAsking({ backup, scope })}
                    onBrowse={setBrowsing}
                  />
                )}
              </QueryState>
            </section>
            <section aria-labelledby="restores-heading">
              <Title order={2} size="h4" mb="sm" id="restores-heading">
                Restores
              </Title>
              <QueryState query={restores} label="restores">
                {(list) => <RestoresTable restores={list.items} backups={backups.data?.items ?? []} />}
              </QueryState>
            </section>
          </>
        )}
      </Stack>
      {current && (
        <>
          <RestoreModal tenantId={current} ask={asking} onClose={() => setAsking(null)} />
          <SnapshotBrowser tenantId={current} backup={browsing} onClose={() => setBrowsing(null)} />
        </>
      )}
    </>
  );
}

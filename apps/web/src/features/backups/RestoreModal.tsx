import { useState } from 'react';
import { Modal, Select } from '@mantine/core';
import type { TBackup } from '@berth/contracts';
import { backupTime, type RestoreTarget } from './backupLabels';
import { RestoreConfirm } from './RestoreConfirm';

/** RestoreScope is what the Restore menu offers before a site or database is chosen. */
export type RestoreScope = 'tenant' | 'site' | 'database';

const TITLES: Record<RestoreScope, string> = {
  tenant: 'Restore the whole account',
  site: 'Restore one site',
  database: 'Restore one database',
};

/** RestoreModal restores the whole account, or a site or database chosen from what the backup holds. */
export function RestoreModal({
  tenantId,
  ask,
  onClose,
}: {
  tenantId: string;
  ask: { backup: TBackup; scope: RestoreScope } | null;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={ask !== null}
      onClose={onClose}
      title={ask ? `${TITLES[ask.scope]} from ${backupTime(ask.backup)}` : ''}
      centered
    >
      {ask && <RestoreChoice key={`${ask.backup.id}-${ask.scope}`} tenantId={tenantId} {...ask} onClose={onClose} />}
    </Modal>
  );
}

function RestoreChoice({
  tenantId,
  backup,
  scope,
  onClose,
}: {
  tenantId: string;
  backup: TBackup;
  scope: RestoreScope;
  onClose: () => void;
}) {
  const [picked, setPicked] = useState<string | null>(null);
  const { sites, databases } = backup.contents;
  let target: RestoreTarget | null = null;
  let choice = null;
  if (scope === 'tenant') target = { scope: 'tenant' };
  else if (scope === 'site') {
    const site = sites.find((s) => s.id === picked);
    if (site) target = { scope: 'site', site };
    choice = (
      <Select
        label="Site"
        placeholder="Pick the site to restore"
        required
        data={sites.map((s) => ({ value: s.id, label: s.name }))}
        value={picked}
        onChange={setPicked}
        data-autofocus
      />
    );
  } else {
    const database = databases.find((d) => d.id === picked);
    if (database) target = { scope: 'database', database };
    choice = (
      <Select
        label="Database"
        placeholder="Pick the database to restore"
        required
        data={databases.map((d) => ({ value: d.id, label: d.name }))}
        value={picked}
        onChange={setPicked}
        data-autofocus
      />
    );
  }
  return (
    <RestoreConfirm
      tenantId={tenantId}
      backup={backup}
      scope={scope}
      target={target}
      choice={choice}
      onCancel={onClose}
      onDone={onClose}
    />
  );
}

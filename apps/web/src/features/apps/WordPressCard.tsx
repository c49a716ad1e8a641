import { useState, type ReactNode } from 'react';
import { Alert, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { ShownOnce } from '../../ui/ShownOnce';
import type { TAppInstall, TSite } from '@berth/contracts';
import { QueryError, QueryLoading } from '../../ui/QueryState';
import { useWordPressInstall } from '../../queries/apps';
import { InstallWordPressForm, Installing } from './InstallWordPressForm';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <div>{children}</div>
    </Stack>
  );
}

/** notReadyReason says why WordPress cannot go into this site yet (the API has the last word), or null. */
function notReadyReason(site: TSite): string | null {
  if (site.status !== 'live' && site.status !== 'degraded') return 'WordPress can be installed once the site is live.';
  if (site.domains.length === 0) return 'Add a domain to the site first: WordPress is set up for its address.';
  return null;
}

/** AdminPassword shows the generated administrator password the one time the API answers it. */
function AdminPassword({ user, password, onDone }: { user: string; password: string; onDone: () => void }) {
  return (
    <Alert color="blue" variant="light" title="Administrator password — copy it now" data-testid="wordpress-password">
      <ShownOnce value={password} label="WordPress administrator password" copyLabel="Copy password" onDone={onDone}>
        {user} signs in with this password. It is shown only now; if it is lost, reset it from WordPress’s sign-in page.
      </ShownOnce>
    </Alert>
  );
}

function Installed({ install }: { install: TAppInstall }) {
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, xs: 3 }}>
        <Fact label="Version">
          <Text>{install.version ?? 'unknown'}</Text>
        </Fact>
        <Fact label="Administrator">
          <Text className="mono">{install.adminUser}</Text>
        </Fact>
        <Fact label="Admin address">
          {install.adminUrl ? (
            <Text className="mono">{install.adminUrl}</Text>
          ) : (
            <Text c="dimmed">none: the site has no primary domain</Text>
          )}
        </Fact>
      </SimpleGrid>
      {install.adminUrl && (
        <Group>
          <Button component="a" href={install.adminUrl} target="_blank" rel="noopener noreferrer">
            Open WordPress admin
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/**
 * WordPressCard is a PHP site's WordPress: installed (version, administrator, admin link), being installed (the
 * step, live), or an Install button with the form; the generated administrator password is shown once.
 */
export function WordPressCard({ site }: { site: TSite }) {
  const install = useWordPressInstall(site.id);
  const [formOpen, setFormOpen] = useState(false);
  const [password, setPassword] = useState<string | null>(null);

  let content: ReactNode;
  if (formOpen) {
    content = (
      <InstallWordPressForm
        site={site}
        onCancel={() => setFormOpen(false)}
        onInstalled={(started) => {
          setFormOpen(false);
          setPassword(started.adminPassword ?? null);
        }}
      />
    );
  } else if (install.isPending) {
    content = <QueryLoading label="WordPress" />;
  } else if (install.isError) {
    content = <QueryError query={install} label="WordPress" />;
  } else if (install.data?.status === 'installing') {
    content = <Installing step={install.data.message} />;
  } else if (install.data?.status === 'installed') {
    content = (
      <Stack gap="sm">
        {password && (
          <AdminPassword user={install.data.adminUser} password={password} onDone={() => setPassword(null)} />
        )}
        <Installed install={install.data} />
      </Stack>
    );
  } else {
    const reason = notReadyReason(site);
    content = (
      <Stack gap="sm" align="flex-start">
        {install.data?.status === 'failed' && (
          <Alert color="red" variant="light" title="The last installation did not finish" w="100%">
            {install.data.message ?? 'No reason was recorded.'} Nothing of it was kept; you can install again.
          </Alert>
        )}
        <Text size="sm">
          WordPress in one click: its own MariaDB database and user, the files, and an administrator. The site must be
          empty.
        </Text>
        {reason && (
          <Text size="sm" c="dimmed">
            {reason}
          </Text>
        )}
        <Button onClick={() => setFormOpen(true)} disabled={reason !== null}>
          Install WordPress
        </Button>
      </Stack>
    );
  }

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="wordpress-heading">
      <Title order={2} size="h4" mb="sm" id="wordpress-heading">
        WordPress
      </Title>
      {content}
    </Paper>
  );
}

import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Loader, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { ZInstallWordPressRequest, type TSite, type TStartedAppInstall } from '@berth/contracts';
import { ApiError } from '../../api';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { PasswordField } from '../../ui/PasswordField';
import { useInstallWordPress, useWordPressInstall } from '../../queries/apps';

const FIELDS = ['title', 'adminUser', 'adminEmail', 'adminPassword'] as const;

/** SITE_NOT_EMPTY_TEXT is what to do when the site already has files (WordPress only goes into an empty site). */
export const SITE_NOT_EMPTY_TEXT =
  'This site already has files, and WordPress is only installed into an empty site. Delete its files on the Files tab first, or create another site for WordPress.';

/** inPlainWords rewords the refusals whose API message does not say what to do from this form. */
function inPlainWords(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.code === 'SITE_NOT_EMPTY') return new ApiError(error.status, error.code, SITE_NOT_EMPTY_TEXT);
  if (error.code === 'PLAN_LIMIT_REACHED')
    return new ApiError(error.status, error.code, `WordPress needs a database of its own. ${error.message}`);
  return error;
}

/** Installing is the progress line while the installation runs: the step the panel is at, announced politely. */
export function Installing({ step }: { step: string | null | undefined }) {
  return (
    <Alert color="blue" variant="light" role="status" aria-live="polite" title="Installing…">
      <Group gap="xs" wrap="nowrap">
        <Loader size="xs" aria-hidden />
        <Text size="sm">{step ?? 'Starting'}…</Text>
      </Group>
    </Alert>
  );
}

/**
 * InstallWordPressForm installs WordPress into an empty PHP site: site title and its administrator (never
 * "admin"), with a generated password unless one is typed. While the request runs (a few seconds) it shows the
 * step the panel is at; the answer, with the generated password, goes to `onInstalled`.
 */
export function InstallWordPressForm({
  site,
  onInstalled,
  onCancel,
}: {
  site: TSite;
  onInstalled: (started: TStartedAppInstall) => void;
  onCancel: () => void;
}) {
  const [title, setTitle] = useState(site.name);
  const [adminUser, setAdminUser] = useState('');
  const [adminEmail, setAdminEmail] = useState('');
  const [adminPassword, setAdminPassword] = useState('');
  const form = useFormErrors(ZInstallWordPressRequest, { fields: FIELDS });
  const install = useInstallWordPress(site.id);
  const progress = useWordPressInstall(site.id, { poll: install.isPending });

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({
      title,
      adminUser: adminUser.trim(),
      adminEmail: adminEmail.trim(),
      ...(adminPassword ? { adminPassword } : {}),
    });
    if (!input) return;
    install.mutate(input, {
      onSuccess: onInstalled,
      onError: (error) => form.showServerError(inPlainWords(error)),
    });
  }

  const step = progress.data?.status === 'installing' ? progress.data.message : null;
  return (
    <form onSubmit={submit} noValidate aria-label="Install WordPress">
      <Stack gap="sm">
        <FormAlert message={form.formError} />
        <fieldset disabled={install.isPending} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Site title"
              required
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
              error={form.errors.title}
              data-autofocus
            />
            <TextInput
              label="Administrator user name"
              description="Not “admin”: it is the first name attackers try."
              required
              value={adminUser}
              onChange={(e) => setAdminUser(e.currentTarget.value)}
              error={form.errors.adminUser}
              autoComplete="off"
              spellCheck={false}
            />
            <TextInput
              label="Administrator email"
              type="email"
              required
              value={adminEmail}
              onChange={(e) => setAdminEmail(e.currentTarget.value)}
              error={form.errors.adminEmail}
              autoComplete="email"
            />
            <PasswordField
              label="Administrator password"
              description="Leave it empty to get a generated one, shown once when WordPress is installed."
              value={adminPassword}
              onChange={(e) => setAdminPassword(e.currentTarget.value)}
              error={form.errors.adminPassword}
              autoComplete="new-password"
            />
          </SimpleGrid>
        </fieldset>
        {install.isPending && <Installing step={step} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel} disabled={install.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={install.isPending}>
            Install WordPress
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

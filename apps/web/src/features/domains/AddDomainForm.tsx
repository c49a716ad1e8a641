import { useState, type FormEvent } from 'react';
import { Button, Group, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  DOMAIN_KINDS,
  TLS_MODES,
  WWW_REDIRECTS,
  ZCreateDomainRequest,
  defaultTlsMode,
  normalizeHostname,
  type TTlsMode,
} from '@berth/contracts';
import { FormAlert } from '../../forms/FormAlert';
import { useFormErrors } from '../../forms/useFormErrors';
import { useAddDomain } from '../../queries/domains';

const FIELDS = ['hostname', 'tls', 'kind', 'redirectTo', 'redirectCode', 'wwwRedirect'] as const;
type Kind = (typeof DOMAIN_KINDS)[number];
type WwwRedirect = (typeof WWW_REDIRECTS)[number];

const WWW_LABELS: Record<WwwRedirect, string> = {
  none: 'No www twin',
  'www-to-apex': 'Redirect www. to this name',
  'apex-to-www': 'Redirect the bare name to www.',
};

/** TLS_LABELS explains each TLS mode in the words of someone adding a domain. */
export const TLS_LABELS: Record<TTlsMode, string> = {
  auto: 'Automatic (Let’s Encrypt)',
  internal: 'Internal CA (private names)',
  custom: 'Uploaded certificate',
  off: 'Off (HTTP only)',
};

/** AddDomainForm attaches a hostname to a site; international names are shown as the punycode they are stored as. */
export function AddDomainForm({ siteId }: { siteId: string }) {
  const [hostname, setHostname] = useState('');
  const [tls, setTls] = useState<TTlsMode | null>(null);
  const [kind, setKind] = useState<Kind | null>(null);
  const [redirectTo, setRedirectTo] = useState('');
  const [redirectCode, setRedirectCode] = useState<'301' | '302'>('301');
  const [wwwRedirect, setWwwRedirect] = useState<WwwRedirect>('none');
  const form = useFormErrors(ZCreateDomainRequest, { fields: FIELDS, codeFields: { HOSTNAME_TAKEN: 'hostname' } });
  const add = useAddDomain(siteId);

  const normalized = hostname ? normalizeHostname(hostname.trim()) : null;
  const tlsHint = normalized?.ok
    ? `Default for ${normalized.hostname}: ${TLS_LABELS[defaultTlsMode(normalized.hostname)]}`
    : 'Default: automatic, or internal for .localhost/.test names';

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = form.validate({
      hostname: hostname.trim(),
      ...(tls ? { tls } : {}),
      ...(kind ? { kind } : {}),
      ...(wwwRedirect !== 'none' ? { wwwRedirect } : {}),
      ...(kind === 'redirect'
        ? {
            ...(redirectTo.trim() ? { redirectTo: redirectTo.trim() } : {}),
            redirectCode: redirectCode === '302' ? 302 : 301,
          }
        : {}),
    });
    if (!input) return;
    add.mutate(input, {
      onSuccess: (domain) => {
        setHostname('');
        setRedirectTo('');
        notifications.show({ color: 'green', message: `${domain.hostname} added.` });
      },
      onError: form.showServerError,
    });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Add domain">
      <Stack gap="sm">
        <FormAlert message={form.formError} />
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
          <TextInput
            label="Hostname"
            placeholder="www.example.com"
            required
            value={hostname}
            onChange={(e) => setHostname(e.currentTarget.value)}
            error={form.errors.hostname}
            description={
              normalized?.ok && normalized.hostname !== hostname.trim().toLowerCase()
                ? `Stored as ${normalized.hostname}`
                : undefined
            }
          />
          <Select
            label="TLS"
            placeholder="Default"
            clearable
            data={TLS_MODES.map((m) => ({ value: m, label: TLS_LABELS[m] }))}
            value={tls}
            onChange={(v) => setTls(v as TTlsMode | null)}
            description={tls ? undefined : tlsHint}
            error={form.errors.tls}
          />
          <Select
            label="Kind"
            placeholder="primary (default)"
            clearable
            data={DOMAIN_KINDS.map((k) => ({ value: k, label: k }))}
            value={kind}
            onChange={(v) => setKind(v as Kind | null)}
            error={form.errors.kind}
          />
          <Select
            label="www twin"
            allowDeselect={false}
            data={WWW_REDIRECTS.map((w) => ({ value: w, label: WWW_LABELS[w] }))}
            value={wwwRedirect}
            onChange={(v) => setWwwRedirect((v as WwwRedirect | null) ?? 'none')}
            error={form.errors.wwwRedirect}
          />
        </SimpleGrid>
        {kind === 'redirect' && (
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput
              label="Redirect to"
              placeholder="https://example.com"
              required
              value={redirectTo}
              onChange={(e) => setRedirectTo(e.currentTarget.value)}
              error={form.errors.redirectTo}
            />
            <Select
              label="Redirect code"
              allowDeselect={false}
              value={redirectCode}
              onChange={(v) => setRedirectCode(v === '302' ? '302' : '301')}
              data={[
                { value: '301', label: '301 permanent' },
                { value: '302', label: '302 temporary' },
              ]}
              error={form.errors.redirectCode}
            />
          </SimpleGrid>
        )}
        <Group>
          <Button type="submit" loading={add.isPending}>
            Add domain
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

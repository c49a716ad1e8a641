import { RUNTIME_CATALOG, type TEvent } from '@berth/contracts';

/** EventWords is an event told in words: what happened, to what, and what changed (null when nothing more is known). */
export interface EventWords {
  summary: string;
  change: string | null;
}

type Details = Record<string, unknown>;

const NOUNS: Record<string, string> = {
  site: 'site',
  domain: 'domain',
  tenant: 'account',
  database: 'database',
  'database-user': 'database user',
  'cron-job': 'cron job',
  user: 'user',
  token: 'API token',
  plan: 'plan',
  webhook: 'webhook',
  backup: 'backup',
  restore: 'restore',
};

const VERBS: Record<string, string> = {
  create: 'Created',
  created: 'Created',
  update: 'Changed',
  updated: 'Changed',
  delete: 'Deleted',
  deleted: 'Deleted',
  retry: 'Retried',
  suspend: 'Suspended',
  unsuspend: 'Unsuspended',
  terminate: 'Terminated',
  verify: 'Verified',
  revoke: 'Revoked',
  requested: 'Requested',
  install: 'Started installing an app on',
  installed: 'Installed an app on',
  grants: 'Changed the grants of',
  password: 'Set the password of',
  'password-reset': 'Reset the password of',
  'password-change': 'Changed the password of',
  'cache-purge': 'Purged the cache of',
  'certificate-upload': 'Uploaded a certificate for',
  'certificate-remove': 'Removed the uploaded certificate of',
  'admin-login': 'Opened the database admin as',
  'runtime-ensure': 'Set up the containers of',
  'runtime-remove': 'Removed the containers of',
  'two-factor-enrol': 'Started two-factor sign-in for',
  'two-factor-confirm': 'Turned on two-factor sign-in for',
  'two-factor-disable': 'Turned off two-factor sign-in for',
  'recovery-codes-regenerate': 'Made new recovery codes for',
  'recovery-code-use': 'Used a recovery code of',
  'run-requested': 'Asked to run',
  downloaded: 'Downloaded from',
  'rotate-secret': 'Made a new secret for',
};

/** STATES are actions that report where something now stands rather than what someone did. */
const STATES: Record<string, (target: string) => string> = {
  'site.provisioning': (t) => `${cap(t)} is being set up`,
  'site.live': (t) => `${cap(t)} is live`,
  'site.failed': (t) => `${cap(t)} could not be set up`,
  'site.degraded': (t) => `Visitors of ${t} get errors`,
  'site.suspended': (t) => `${cap(t)} is suspended`,
  'backup.succeeded': (t) => `${cap(t)} finished`,
  'backup.failed': (t) => `${cap(t)} failed`,
  'restore.succeeded': (t) => `${cap(t)} finished`,
  'restore.failed': (t) => `${cap(t)} failed`,
  'reconcile.recovered': (t) => `${cap(t)} is in step again`,
  'auth.login': () => 'Signed in',
  'auth.login-password': () => 'Signed in with a password',
  'auth.logout': () => 'Signed out',
  'auth.sso-login': () => 'Signed in with a one-time link',
  'backup.all-requested': () => 'Requested backups of every account',
  'account.sso-link': (t) => `Made a one-time sign-in link for ${t}`,
  'file.upload': (t) => `Uploaded a file to ${t}`,
  'file.mkdir': (t) => `Made a folder in ${t}`,
  'file.delete': (t) => `Deleted from the files of ${t}`,
  'file.move': (t) => `Moved a file in ${t}`,
  'file.chmod': (t) => `Changed permissions in ${t}`,
  'file.extract': (t) => `Extracted a zip in ${t}`,
  'sftp.enabled': () => 'Turned SFTP access on',
  'sftp.disabled': () => 'Turned SFTP access off',
  'sftp.password-set': () => 'Set the SFTP password',
  'sftp.key-added': () => 'Added an SFTP key',
  'sftp.key-removed': () => 'Removed an SFTP key',
};

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function runtimeText(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const { kind, version } = value as { kind?: unknown; version?: unknown };
  if (typeof kind !== 'string') return null;
  const label = kind in RUNTIME_CATALOG ? RUNTIME_CATALOG[kind as keyof typeof RUNTIME_CATALOG].label : kind;
  return kind === 'static' || typeof version !== 'string' ? label : `${label} ${version}`;
}

/** runtimeChange is "PHP 8.2 → 8.4", or "PHP 8.4 → Node.js 20" when the kind changes too. */
function runtimeChange(from: unknown, to: unknown): string | null {
  const a = runtimeText(from);
  const b = runtimeText(to);
  if (!a || !b || a === b) return null;
  const kindOf = (v: unknown) => (v as { kind: string }).kind;
  if (kindOf(from) === kindOf(to) && kindOf(to) !== 'static') return `${a} → ${(to as { version: string }).version}`;
  return `${a} → ${b}`;
}

const TLS_WORDS: Record<string, string> = {
  auto: 'public certificate',
  internal: "the panel's own certificate",
  custom: 'uploaded certificate',
  off: 'no HTTPS',
};

const WWW_WORDS: Record<string, string> = {
  none: 'no www twin',
  'www-to-apex': 'www redirects to the bare name',
  'apex-to-www': 'the bare name redirects to www',
};

function yesNo(value: unknown, on: string, off: string): string | null {
  return value === true ? on : value === false ? off : null;
}

function list(parts: (string | null)[]): string | null {
  const kept = parts.filter((p): p is string => p !== null);
  return kept.length > 0 ? kept.join(', ') : null;
}

function formatSize(bytes: unknown): string | null {
  if (typeof bytes !== 'number') return null;
  if (bytes < 1024) return `${bytes} B`;
  const kb = bytes / 1024;
  return kb < 1024 ? `${kb.toFixed(1)} KB` : `${(kb / 1024).toFixed(1)} MB`;
}

/** CHANGES say what changed, from the event's details, for the actions whose details carry it. */
const CHANGES: Record<string, (d: Details) => string | null> = {
  'site.create': (d) => runtimeText(d.runtime),
  'site.update': (d) =>
    list([runtimeChange(d.from, d.runtime), d.settingsChanged === true ? 'settings changed' : null]),
  'site.live': (d) => (str(d.from) && d.from !== 'live' ? `was ${str(d.from)}` : null),
  'site.failed': (d) => (str(d.from) ? `was ${str(d.from)}` : null),
  'site.degraded': (d) => (str(d.from) ? `was ${str(d.from)}` : null),
  'domain.update': (d) =>
    list([
      str(d.kind) ? `now ${str(d.kind)}` : null,
      str(d.tls) ? `HTTPS: ${TLS_WORDS[d.tls as string] ?? str(d.tls)}` : null,
      str(d.wwwRedirect) ? (WWW_WORDS[d.wwwRedirect as string] ?? str(d.wwwRedirect)) : null,
    ]),
  'domain.certificate-upload': (d) =>
    list([
      str(d.issuer) ? `issued by ${str(d.issuer)}` : null,
      str(d.notAfter) ? `valid until ${day(d.notAfter)}` : null,
    ]),
  'tenant.update': (d) =>
    list([
      str(d.name) ? `name: ${str(d.name)}` : null,
      str(d.planId) ? 'plan changed' : null,
      str(d.webserver) ? `web server: ${d.webserver === 'apache' ? 'Apache' : 'nginx'}` : null,
      yesNo(d.varnishEnabled, 'Varnish cache on', 'Varnish cache off'),
    ]),
  'plan.update': (d) =>
    Array.isArray(d.fields) && d.fields.length > 0
      ? `changed ${d.fields.filter((f) => typeof f === 'string').join(', ')}`
      : null,
  'cron.updated': (d) => {
    if (typeof d.changes !== 'object' || d.changes === null) return null;
    return list(
      Object.entries(d.changes as Record<string, { from?: unknown; to?: unknown }>).map(([key, c]) =>
        key === 'enabled' ? yesNo(c.to, 'enabled', 'paused') : `${key}: ${String(c.from)} → ${String(c.to)}`,
      ),
    );
  },
  'cron.created': (d) => (str(d.schedule) ? `schedule ${str(d.schedule)}` : null),
  'file.upload': (d) => list([str(d.path), formatSize(d.bytes)]),
  'file.mkdir': (d) => str(d.path),
  'file.delete': (d) => str(d.path),
  'backup.all-requested': (d) => (typeof d.queued === 'number' ? `${d.queued} queued` : null),
  'restore.requested': (d) => (str(d.scope) ? `scope: ${str(d.scope)}` : null),
  'reconcile.recovered': (d) =>
    typeof d.failedPasses === 'number'
      ? `after ${d.failedPasses} failed pass${d.failedPasses === 1 ? '' : 'es'}`
      : null,
  'user.recovery-code-use': (d) => (typeof d.left === 'number' ? `${d.left} left` : null),
  'user.two-factor-disable': (d) => (d.with === 'recovery-code' ? 'with a recovery code' : null),
};

function day(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 10) : '';
}

/**
 * targetPhrase names what an event is about: its kind and its name as the API resolved it now, else the name
 * its details kept (a deleted site's `name`, a deleted domain's `hostname`), else the kind alone.
 */
export function targetPhrase(event: Pick<TEvent, 'targetType' | 'targetName' | 'details'>): string {
  const noun = NOUNS[event.targetType] ?? event.targetType;
  const d = event.details ?? {};
  const name =
    event.targetName ??
    (event.targetType === 'domain' ? str(d.hostname) : null) ??
    (event.targetType === 'tenant' ? str(d.slug) : null) ??
    str(d.name);
  return name ? `${noun} ${name}` : noun;
}

/**
 * actorLabel names who did it: a person by email, a token by its name (the API resolves both), the panel's
 * own work as "Berth (automatic)". A user or token deleted since stays recognisable as such.
 */
export function actorLabel(event: Pick<TEvent, 'actor' | 'actorName'>): string {
  if (event.actorName) return event.actorName;
  if (event.actor === 'system') return 'Berth (automatic)';
  if (event.actor === 'cli') return 'Command line on the server';
  if (event.actor === 'anonymous') return 'Someone not signed in';
  if (event.actor.startsWith('token:')) return 'A deleted API token';
  if (event.actor.startsWith('user:')) return 'A deleted user';
  return event.actor;
}

/**
 * describeEvent tells an audit event in words: "Changed site www" with "PHP 8.2 → 8.4", "Site shop is live",
 * "Refused: DELETE /api/v1/sites/:id". Actions it does not know still read as "<action> <target>".
 */
export function describeEvent(event: TEvent): EventWords {
  const target = targetPhrase(event);
  const details = event.details ?? {};
  const change = CHANGES[event.action]?.(details) ?? null;
  if (event.targetType === 'request') {
    const [method = '', route = ''] = event.action.split(' ');
    return { summary: `Refused: ${method.toUpperCase()} ${route}`.trim(), change: null };
  }
  const state = STATES[event.action];
  if (state) return { summary: state(target), change };
  const verb = VERBS[event.action.slice(event.action.indexOf('.') + 1)];
  if (verb) return { summary: `${verb} ${target}`, change };
  return { summary: `${event.action} · ${target}`, change };
}

import type { TEvent } from '@berth/contracts';
import { describe, expect, it } from 'vitest';
import { actorLabel, describeEvent } from './describeEvent';

const base: TEvent = {
  id: 'evt0000001',
  at: '2026-11-30T10:00:00.000Z',
  actor: 'user:user000001',
  actorName: 'owner@acme.test',
  action: 'site.update',
  targetType: 'site',
  targetId: 'site000001',
  targetName: 'www',
  tenantId: 'ten0000001',
  result: 'ok',
  message: null,
  ip: null,
  details: null,
};
const ev = (over: Partial<TEvent>): TEvent => ({ ...base, ...over });

describe('describeEvent', () => {
  it.each<[string, Partial<TEvent>, string, string | null]>([
    [
      'a runtime upgrade',
      {
        details: {
          from: { kind: 'php', version: '8.2' },
          runtime: { kind: 'php', version: '8.4' },
          settingsChanged: false,
        },
      },
      'Changed site www',
      'PHP 8.2 → 8.4',
    ],
    [
      'a change of runtime kind with settings',
      {
        details: {
          from: { kind: 'php', version: '8.4' },
          runtime: { kind: 'node', version: '20' },
          settingsChanged: true,
        },
      },
      'Changed site www',
      'PHP 8.4 → Node.js 20, settings changed',
    ],
    [
      'settings only',
      {
        details: {
          from: { kind: 'php', version: '8.4' },
          runtime: { kind: 'php', version: '8.4' },
          settingsChanged: true,
        },
      },
      'Changed site www',
      'settings changed',
    ],
    [
      'a new site',
      { action: 'site.create', details: { name: 'www', runtime: { kind: 'php', version: '8.2' } } },
      'Created site www',
      'PHP 8.2',
    ],
    [
      'a deleted site, named from its details',
      { action: 'site.delete', targetName: null, details: { name: 'old' } },
      'Deleted site old',
      null,
    ],
    [
      'a site going live',
      { action: 'site.live', actor: 'system', details: { name: 'www', from: 'provisioning' } },
      'Site www is live',
      'was provisioning',
    ],
    [
      'a degraded site',
      { action: 'site.degraded', result: 'error', details: { from: 'live' } },
      'Visitors of site www get errors',
      'was live',
    ],
    [
      'a new domain',
      {
        action: 'domain.create',
        targetType: 'domain',
        targetName: 'shop.acme.test',
        details: { hostname: 'shop.acme.test' },
      },
      'Created domain shop.acme.test',
      null,
    ],
    [
      'a domain change',
      {
        action: 'domain.update',
        targetType: 'domain',
        targetName: 'acme.test',
        details: { tls: 'off', wwwRedirect: 'www-to-apex' },
      },
      'Changed domain acme.test',
      'HTTPS: no HTTPS, www redirects to the bare name',
    ],
    [
      'a deleted domain',
      { action: 'domain.delete', targetType: 'domain', targetName: null, details: { hostname: 'gone.acme.test' } },
      'Deleted domain gone.acme.test',
      null,
    ],
    [
      'an account change',
      {
        action: 'tenant.update',
        targetType: 'tenant',
        targetName: 'acme',
        details: { varnishEnabled: true, webserver: 'apache' },
      },
      'Changed account acme',
      'web server: Apache, Varnish cache on',
    ],
    [
      'a suspension',
      { action: 'tenant.suspend', targetType: 'tenant', targetName: 'acme' },
      'Suspended account acme',
      null,
    ],
    [
      'a cron job change',
      {
        action: 'cron.updated',
        targetType: 'cron-job',
        targetName: 'Nightly',
        details: {
          name: 'Nightly',
          changes: { schedule: { from: '@daily', to: '@hourly' }, enabled: { from: true, to: false } },
        },
      },
      'Changed cron job Nightly',
      'schedule: @daily → @hourly, paused',
    ],
    [
      'a database',
      { action: 'database.create', targetType: 'database', targetName: 'acme_shop' },
      'Created database acme_shop',
      null,
    ],
    [
      'an upload',
      { action: 'file.upload', details: { path: 'public/index.php', bytes: 2048 } },
      'Uploaded a file to site www',
      'public/index.php, 2.0 KB',
    ],
    ['a sign-in', { action: 'auth.login', targetType: 'user', targetName: 'owner@acme.test' }, 'Signed in', null],
    [
      'a refused write',
      {
        action: 'delete /api/v1/sites/:id',
        targetType: 'request',
        targetId: null,
        targetName: null,
        result: 'error',
        message: 'HTTP 403',
      },
      'Refused: DELETE /api/v1/sites/:id',
      null,
    ],
    ['an action it does not know', { action: 'site.teleport' }, 'site.teleport · site www', null],
  ])('tells %s', (_, over, summary, change) => {
    expect(describeEvent(ev(over))).toEqual({ summary, change });
  });
});

describe('actorLabel', () => {
  it.each<[string, string | null, string]>([
    ['user:user000001', 'owner@acme.test', 'owner@acme.test'],
    ['token:tok0000001', 'deploy (API token)', 'deploy (API token)'],
    ['user:user000009', 'Administrator', 'Administrator'],
    ['system', null, 'Berth (automatic)'],
    ['cli', null, 'Command line on the server'],
    ['anonymous', null, 'Someone not signed in'],
    ['user:user000002', null, 'A deleted user'],
    ['token:tok0000002', null, 'A deleted API token'],
  ])('names %s', (actor, actorName, label) => {
    expect(actorLabel({ actor, actorName })).toBe(label);
  });
});

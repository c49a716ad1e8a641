import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, call, login, makeTenant, startPanel, type TenantFixture, type TestPanel } from './helpers.js';

// A failed site can be retried at once (API and console), instead of waiting for the reconciler's backoff.
describe('retrying a failed site', () => {
  let panel: TestPanel;
  let t: TenantFixture;
  const changed: string[] = [];
  beforeAll(async () => {
    panel = await startPanel();
    t = await makeTenant(panel.app, await login(panel.app, ADMIN.email, ADMIN.password), 'retry');
    panel.services.notifier.on('changed', (tenantId: string) => changed.push(tenantId));
  });
  afterAll(async () => {
    await panel.close();
  });

  it('puts a failed site back to pending, converges its tenant now and records why it had failed', async () => {
    await panel.db.site.update({
      where: { id: t.siteId },
      data: { status: 'failed', statusMessage: 'Image berth/php-fpm:8.4 is not present.' },
    });
    const res = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/retry`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: t.siteId, status: 'pending', statusMessage: null });
    expect(changed).toContain(t.id);
    const event = await panel.db.event.findFirst({ where: { action: 'site.retry', targetId: t.siteId } });
    expect(event).toMatchObject({ result: 'ok', message: 'Image berth/php-fpm:8.4 is not present.' });
  });

  it('refuses a site that has not failed, and changes nothing', async () => {
    await panel.db.site.update({ where: { id: t.siteId }, data: { status: 'live', statusMessage: null } });
    const res = await call(panel.app, t.owner, 'POST', `/api/v1/sites/${t.siteId}/retry`);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'SITE_NOT_FAILED' } });
    expect((await panel.db.site.findUniqueOrThrow({ where: { id: t.siteId } })).status).toBe('live');
  });
});

import { newId } from '@berth/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetentionJob } from '../src/retention/retention.job.js';
import { ADMIN, call, login, startPanel, type TestPanel } from './helpers.js';

const DAY = 86_400_000;

// Rows that would grow without bound are deleted on schedule; the audit trail of known callers stays.
describe('retention', () => {
  let panel: TestPanel;
  beforeAll(async () => {
    panel = await startPanel();
  });
  afterAll(async () => {
    await panel.close();
  });

  it('deletes expired sessions, idempotency keys, old expired tokens and old anonymous events, and keeps the rest', async () => {
    const { db } = panel;
    const admin = await login(panel.app, ADMIN.email, ADMIN.password);
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    const user = await db.user.findFirstOrThrow({ where: { email: ADMIN.email } });
    await db.session.create({ data: { id: newId(), tokenHash: 'x'.repeat(64), userId: user.id, expiresAt: ago(1) } });
    await db.idempotencyKey.create({
      data: {
        id: newId(),
        key: 'k1',
        principal: 'p',
        requestHash: 'h',
        statusCode: 200,
        responseBody: '{}',
        expiresAt: ago(1),
      },
    });
    await db.idempotencyKey.create({
      data: {
        id: newId(),
        key: 'k2',
        principal: 'p',
        requestHash: 'h',
        statusCode: 200,
        responseBody: '{}',
        expiresAt: new Date(now.getTime() + DAY),
      },
    });
    for (const [name, expiresAt] of [
      ['long-expired', ago(40)],
      ['just-expired', ago(2)],
      ['forever', null],
    ] as const) {
      await db.apiToken.create({
        data: { id: newId(), name, secretHash: name.padEnd(64, '0'), scopes: '["read"]', userId: user.id, expiresAt },
      });
    }
    await db.event.create({
      data: { id: newId(), at: ago(40), actor: 'anonymous', action: 'auth.login', targetType: 'user', result: 'error' },
    });
    await db.event.create({
      data: { id: newId(), at: ago(2), actor: 'anonymous', action: 'auth.login', targetType: 'user', result: 'error' },
    });
    await db.event.create({
      data: {
        id: newId(),
        at: ago(400),
        actor: `user:${user.id}`,
        action: 'plan.create',
        targetType: 'plan',
        result: 'ok',
      },
    });

    const counts = await new RetentionJob({
      db,
      policy: { anonymousEventDays: 30, expiredTokenDays: 30, usedSsoLinkDays: 1 },
    }).runOnce(now);
    expect(counts).toMatchObject({ sessions: 1, idempotencyKeys: 1, tokens: 1, anonymousEvents: 1 });
    expect((await db.apiToken.findMany({ select: { name: true } })).map((t) => t.name).sort()).toEqual([
      'forever',
      'just-expired',
    ]);
    expect(await db.idempotencyKey.count()).toBe(1);
    expect(await db.event.count({ where: { actor: 'anonymous' } })).toBe(1);
    expect(await db.event.count({ where: { action: 'plan.create', at: ago(400) } })).toBe(1);
    // The live session of the admin who signed in just now still works.
    expect((await call(panel.app, admin, 'GET', '/api/v1/me')).statusCode).toBe(200);
  });
});

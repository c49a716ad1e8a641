import crypto from 'node:crypto';
import type { Db } from '@berth/db';
import { newId } from '@berth/db';
import { hashPassword } from './auth/passwords.js';
import { recordEvent } from './events/events.service.js';
import { DEFAULT_PLAN, planColumns } from './plans/plans.service.js';

/**
 * bootstrapPanel makes a new panel usable: a default plan when there is none, and a first admin when
 * there is none. It returns the generated admin password when it had to make one up, so the caller can
 * print it exactly once; it never changes an existing admin.
 */
export async function bootstrapPanel({
  db,
  admin,
}: {
  db: Db;
  admin: { email: string; password: string | undefined };
}): Promise<{ generatedPassword: string | null; createdAdmin: boolean }> {
  if ((await db.plan.count()) === 0) {
    await db.$transaction(async (tx) => {
      const id = newId();
      await tx.plan.create({ data: { ...planColumns(DEFAULT_PLAN), id } });
      await recordEvent(tx, null, {
        action: 'plan.create',
        targetType: 'plan',
        targetId: id,
        details: { name: DEFAULT_PLAN.name, bootstrap: true },
      });
    });
  }
  if ((await db.user.count({ where: { role: 'admin' } })) > 0) return { generatedPassword: null, createdAdmin: false };
  const password = admin.password ?? crypto.randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    const id = newId();
    await tx.user.create({ data: { id, email: admin.email.toLowerCase(), passwordHash, role: 'admin' } });
    await recordEvent(tx, null, {
      action: 'user.create',
      targetType: 'user',
      targetId: id,
      details: { role: 'admin', bootstrap: true },
    });
  });
  return { generatedPassword: admin.password === undefined ? password : null, createdAdmin: true };
}

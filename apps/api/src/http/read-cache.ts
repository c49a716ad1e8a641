import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '@berth/db';
import type { Principal } from '../auth/principal.js';

/**
 * ReadCache keeps serialized GET responses until the next database write. Entries are keyed by the
 * database's write generation, so any write anywhere (by the API, the reconciler or the CLI in this
 * process) makes every entry stale at once; a read that raced with a write is not stored. Keys always
 * include the caller's role, tenant and token scope, so one tenant's answer is never served to another.
 */
export class ReadCache {
  private readonly entries = new Map<string, { generation: number; body: string }>();

  constructor(
    private readonly db: Db,
    private readonly opts: { maxEntries: number; enabled: boolean } = { maxEntries: 2_000, enabled: true },
  ) {}

  /** sendJson answers `request` with the cached body for it, producing and storing it when stale. */
  async sendJson(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    produce: () => Promise<unknown>,
  ): Promise<FastifyReply> {
    const key = `${principal.role}|${principal.tenantId ?? '*'}|${principal.scope}|${request.url}`;
    const generation = this.db.$writeGeneration.current;
    const hit = this.opts.enabled ? this.entries.get(key) : undefined;
    let body: string;
    if (hit && hit.generation === generation) {
      body = hit.body;
    } else {
      body = JSON.stringify(await produce());
      if (this.opts.enabled && this.db.$writeGeneration.current === generation) this.store(key, { generation, body });
    }
    return reply.type('application/json; charset=utf-8').send(body);
  }

  private store(key: string, entry: { generation: number; body: string }): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

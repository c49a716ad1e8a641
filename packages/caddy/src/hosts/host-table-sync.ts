import { CaddyAdminError, type CaddyAdminClient } from '../admin-client.js';
import type { CaddyLogger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { recordKey, type THostRecord } from './host-record.js';

/** SyncResult is what one sync did: hosts written and removed, and the records the module refused. */
export interface SyncResult {
  put: number;
  deleted: number;
  rejected: { host: string; error: string }[];
}

/** TableOutOfSync means the live table is not the one this panel last wrote (Caddy restarted, or another writer). */
export class TableOutOfSync extends Error {
  override readonly name = 'TableOutOfSync';
}

type HostsClient = Pick<CaddyAdminClient, 'hostsEtag' | 'replaceHosts' | 'putHost' | 'deleteHost'>;

/**
 * HostTableSync keeps Caddy's host table equal to the desired records while sending only what changed.
 *
 * It remembers what it last sent (host → record text, host → tenant) and the table's ETag. `applyTenant`
 * diffs one tenant's records against that memory and sends a PUT or DELETE per changed host, each guarded
 * by `If-Match`; a 412 (the table changed behind our back: Caddy restarted from its snapshot, or someone
 * else wrote) throws TableOutOfSync and the caller re-syncs everything with `replaceAll`. Calls are
 * serialized, so ETags chain. No call ever reloads Caddy's configuration.
 */
export class HostTableSync {
  readonly #client: HostsClient;
  readonly #logger: CaddyLogger;
  readonly #sent = new Map<string, { key: string; tenant: string }>();
  #etag: string | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  readonly stats = { replaces: 0, puts: 0, deletes: 0, rejected: 0 };

  constructor({ client, logger }: { client: HostsClient; logger?: CaddyLogger }) {
    this.#client = client;
    this.#logger = logger ?? silentLogger;
  }

  /** etag is the table's ETag after this panel's last write (undefined before the first). */
  get etag(): string | undefined {
    return this.#etag;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(work, work);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** inSync says whether the live table is still the one this panel last wrote. */
  async inSync(): Promise<boolean> {
    if (this.#etag === undefined) return false;
    return (await this.#client.hostsEtag()) === this.#etag;
  }

  /** replaceAll makes the table exactly `records` in one request (start-up, after a Caddy restart). */
  replaceAll(records: THostRecord[]): Promise<SyncResult> {
    return this.#serial(async () => {
      const { etag, rejected } = await this.#client.replaceHosts({ hosts: records });
      const refused = new Set(rejected.map((r) => r.host));
      this.#sent.clear();
      for (const record of records)
        if (!refused.has(record.host)) this.#sent.set(record.host, { key: recordKey(record), tenant: record.tenant });
      this.#etag = etag;
      this.stats.replaces++;
      this.stats.rejected += rejected.length;
      if (rejected.length > 0) this.#logger.warn({ rejected }, 'edge: host records refused by Caddy');
      return {
        put: records.length - rejected.length,
        deleted: 0,
        rejected: rejected.map(({ host, error }) => ({ host, error })),
      };
    });
  }

  /**
   * applyTenant makes the table's records of `tenantId` equal `records`: removed hosts are deleted, new
   * or changed ones written one by one. A host another tenant held moves to this tenant only once that
   * tenant released it (the API refuses such hostnames, so this is a safety net).
   */
  applyTenant(tenantId: string, records: THostRecord[]): Promise<SyncResult> {
    return this.#serial(async () => {
      const result: SyncResult = { put: 0, deleted: 0, rejected: [] };
      const wanted = new Map(records.map((r) => [r.host, r]));
      for (const [host, sent] of [...this.#sent]) {
        if (sent.tenant !== tenantId || wanted.has(host)) continue;
        await this.#guarded(() => this.#client.deleteHost({ host, ...this.#ifMatch() }));
        this.#sent.delete(host);
        result.deleted++;
        this.stats.deletes++;
      }
      for (const record of records) {
        const key = recordKey(record);
        const sent = this.#sent.get(record.host);
        if (sent?.key === key) continue;
        if (sent !== undefined && sent.tenant !== tenantId) {
          result.rejected.push({ host: record.host, error: `${record.host} is served by another account` });
          continue;
        }
        try {
          await this.#guarded(() => this.#client.putHost({ record, ...this.#ifMatch() }));
        } catch (err) {
          if (err instanceof CaddyAdminError && err.status === 400) {
            result.rejected.push({ host: record.host, error: err.message });
            this.stats.rejected++;
            continue;
          }
          throw err;
        }
        this.#sent.set(record.host, { key, tenant: tenantId });
        result.put++;
        this.stats.puts++;
      }
      return result;
    });
  }

  #ifMatch(): { ifMatch?: string } {
    return this.#etag !== undefined ? { ifMatch: this.#etag } : {};
  }

  async #guarded(call: () => Promise<{ etag: string | undefined }>): Promise<void> {
    if (this.#etag === undefined) throw new TableOutOfSync('the host table has not been synced yet');
    try {
      const { etag } = await call();
      this.#etag = etag ?? (await this.#client.hostsEtag());
    } catch (err) {
      if (err instanceof CaddyAdminError && err.status === 412) {
        this.#etag = undefined;
        throw new TableOutOfSync('the host table changed since this panel last wrote it');
      }
      throw err;
    }
  }
}

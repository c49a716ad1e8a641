import type { Readable } from 'node:stream';
import type { TDatabaseEngine } from '@berth/contracts';
import type { ReconcilerHealth } from '@berth/reconciler';

/** HealthPort checks the outside systems the control plane depends on. */
export interface HealthPort {
  docker(): Promise<{ ok: boolean; message?: string }>;
  caddy(): Promise<{ ok: boolean; message?: string }>;
  /** The reconciler's own state: tenants whose passes fail, and the oldest of them. */
  reconciler(): ReconcilerHealth;
}

/**
 * CachePort purges a tenant's Varnish: one URL, or everything of a host. It fails with a CachePortError
 * when it cannot; any other error is a bug.
 */
export interface CachePort {
  purgeUrl(tenantId: string, url: string): Promise<void>;
  banHost(tenantId: string, host: string): Promise<void>;
}

/**
 * CachePortError is how a CachePort says why it could not purge: `not-running` (the tenant's Varnish is not
 * running or does not answer: still starting, stopped or failed) or `unavailable` (Docker does not answer,
 * or Varnish refused). The service turns it into the API's error code.
 */
export class CachePortError extends Error {
  constructor(
    readonly reason: 'not-running' | 'unavailable',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'CachePortError';
  }
}

/** DatabaseUserSpec is a database user as the panel wants it on its server. */
export interface DatabaseUserSpec {
  name: string;
  password: string;
  maxConnections: number;
  locked: boolean;
}

/**
 * DatabasePort changes the tenants' databases and users on the installation's servers (started on first use).
 * Each call is done when it returns; it fails with a DatabasePortError. The control plane also converges the
 * servers with the rows by itself (missing objects made again, objects without a row dropped, users of
 * suspended tenants locked), so an operation that failed after its row changed is finished by the next pass.
 */
export interface DatabasePort {
  createDatabase(engine: TDatabaseEngine, name: string): Promise<void>;
  dropDatabase(engine: TDatabaseEngine, name: string): Promise<void>;
  /** applyUser creates the user (or sets its password, limit and lock) and grants it exactly `databases`. */
  applyUser(engine: TDatabaseEngine, user: DatabaseUserSpec, databases: readonly string[]): Promise<void>;
  setPassword(engine: TDatabaseEngine, name: string, password: string): Promise<void>;
  setGrants(engine: TDatabaseEngine, user: string, databases: readonly string[]): Promise<void>;
  dropUser(engine: TDatabaseEngine, name: string, databases: readonly string[]): Promise<void>;
  /**
   * adminTicket hands phpMyAdmin (MariaDB) or Adminer (PostgreSQL) a one-time sign-in as this user; the path
   * (`/sso/<token>`) is opened on the database admin host.
   */
  adminTicket(
    engine: TDatabaseEngine,
    login: { user: string; password: string; database?: string },
  ): Promise<{ path: string; expiresAt: Date }>;
  /** converge asks for a pass over every server soon (after a suspension, a termination). */
  converge(): void;
}

/**
 * DatabasePortError says why a DatabasePort call failed: `unavailable` (the server could not be started or does
 * not answer), `refused` (the server refused the statement: a bug or a drifted server; the operator's log has
 * its words), `not-configured` (no database admin host is set).
 */
export class DatabasePortError extends Error {
  constructor(
    readonly reason: 'unavailable' | 'refused' | 'not-configured',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'DatabasePortError';
  }
}

/** WordPressInstall is what the runtime needs to install WordPress into a site (see AppsPort). */
export interface WordPressInstall {
  tenant: { tenantId: string; uid: number };
  siteId: string;
  siteUrl: string;
  title: string;
  admin: { user: string; password: string; email: string };
  db: { name: string; user: string; password: string };
}

/**
 * AppsPort installs one-click applications into a site's document root. It fails with an AppsPortError:
 * `not-empty` (the site has files of its own), `failed` (the installer ran and failed; `message` is for
 * operators), `unavailable` (Docker does not answer).
 */
export interface AppsPort {
  installWordPress(params: WordPressInstall): Promise<{ version: string }>;
}

export class AppsPortError extends Error {
  constructor(
    readonly reason: 'not-empty' | 'failed' | 'unavailable',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'AppsPortError';
  }
}

/** SnapshotEntry is one entry of a snapshot folder, with its path relative to the snapshot's root. */
export interface SnapshotEntry {
  path: string;
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number | null;
  mtime: string | null;
}

/**
 * BackupPort is what the API needs of the control plane's backup worker: it runs queued backups and restores
 * (rows are the queue), and reads snapshots for the file browser and downloads. Paths are relative to the
 * snapshot's root (`sites/<siteId>/…`, `databases/…`, `panel/…`). Failures are BackupPortError.
 */
export interface BackupPort {
  /** wake: backups or restores were queued. */
  wake(): void;
  browse(snapshotId: string, path: string): Promise<SnapshotEntry[]>;
  /** download is a file's bytes, or a tar of a folder (`folder`). */
  download(snapshotId: string, path: string): Promise<{ stream: Readable; folder: boolean }>;
}

export class BackupPortError extends Error {
  constructor(
    readonly reason: 'not-found' | 'unavailable',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'BackupPortError';
  }
}

/** CronPort runs a cron job now (outside its schedule); the scheduler records the run. */
export interface CronPort {
  /** runNow starts the job and answers the id of its run, or null when a run of it is still going. */
  runNow(jobId: string, actor: string): Promise<string | null>;
  /** wake: jobs changed (created, rescheduled, deleted). */
  wake(): void;
}

/** SftpPort converges the SFTP server with the accounts (after a change of a login, key or tenant). */
export interface SftpPort {
  converge(): void;
  /** Whether the server runs and its last converge let this tenant in (sshd answering, the account applied). */
  serves(tenantId: string): Promise<boolean>;
}

/**
 * PortSlot holds one port that only the control plane can provide, and it starts after the server listens
 * (Caddy asks the panel's on-demand TLS endpoint as soon as it has routes). Services receive the slot when
 * they are created and read it on every call: until the control plane binds it, and in processes without a
 * control plane (tests, the CLI), `current` is null and the service answers that the control plane is not running.
 */
export class PortSlot<T> {
  #port: T | null = null;
  readonly #waiting = new Set<() => void>();

  /** bind is called once, by the control plane, when the port works. */
  bind(port: T): void {
    this.#port = port;
    for (const wake of this.#waiting) wake();
    this.#waiting.clear();
  }

  get current(): T | null {
    return this.#port;
  }

  /**
   * ready is the port, waiting up to `timeoutMs` for the control plane to bind it (a request that arrives while
   * the panel is still starting), or null when it is not bound by then.
   */
  async ready(timeoutMs: number): Promise<T | null> {
    if (this.#port !== null || timeoutMs <= 0) return this.#port;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(wake);
        resolve();
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiting.add(wake);
    });
    return this.#port;
  }
}

/** ControlPorts are the ports the API uses from the control plane: created before the server, bound by startControlPlane. */
export interface ControlPorts {
  health: PortSlot<HealthPort>;
  cache: PortSlot<CachePort>;
  databases: PortSlot<DatabasePort>;
  apps: PortSlot<AppsPort>;
  backups: PortSlot<BackupPort>;
  cron: PortSlot<CronPort>;
  sftp: PortSlot<SftpPort>;
}

/** createControlPorts makes the empty slots the composition root (main.ts, buildApp) hands to services and to the control plane. */
export function createControlPorts(): ControlPorts {
  return {
    health: new PortSlot<HealthPort>(),
    cache: new PortSlot<CachePort>(),
    databases: new PortSlot<DatabasePort>(),
    apps: new PortSlot<AppsPort>(),
    backups: new PortSlot<BackupPort>(),
    cron: new PortSlot<CronPort>(),
    sftp: new PortSlot<SftpPort>(),
  };
}

import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '@berth/db';
import {
  ensureSftpServer,
  removeSftpServer,
  sftpServerStatus,
  SFTP_LOGIN_RE,
  type DockerDriver,
  type SftpAccount,
  type SftpThrottle,
} from '@berth/runtime';
import type { SftpPort } from '../ports.js';

/**
 * SftpAdapter keeps the installation's SFTP server in line with the SftpAccount rows: one login per tenant with
 * access on (its slug, its uid, chrooted to its own files), locked while the tenant is suspended; the server runs
 * while any tenant has SFTP on, and is removed when none has. It converges after every change (converge()), when
 * tenants change (suspension, termination), and every reconcile interval (a container that died is made again).
 */
export class SftpAdapter implements SftpPort {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** The tenants the server let in at its last successful converge (sshd was answering then). */
  private applied = new Set<string>();

  constructor(
    private readonly deps: {
      db: Db;
      driver: DockerDriver;
      bind: string;
      port: number;
      throttle?: SftpThrottle;
      logger: FastifyBaseLogger;
    },
  ) {}

  start(intervalMs: number): void {
    this.converge();
    this.timer = setInterval(() => this.converge(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.pass;
  }

  converge(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = this.run()
      .catch((err: unknown) => this.deps.logger.error({ err }, 'sftp: the server could not be converged; retrying'))
      .finally(() => {
        this.pass = null;
        if (this.again) {
          this.again = false;
          this.converge();
        }
      });
  }

  /** idle resolves when no pass is running or queued (tests). */
  async idle(): Promise<void> {
    while (this.pass) await this.pass;
  }

  async serves(tenantId: string): Promise<boolean> {
    if (!this.applied.has(tenantId)) return false;
    try {
      return (await sftpServerStatus(this.deps.driver)).running;
    } catch {
      return false;
    }
  }

  private async run(): Promise<void> {
    const rows = await this.deps.db.sftpAccount.findMany({
      where: { enabled: true },
      include: { tenant: { select: { id: true, slug: true, uid: true, status: true, sftpKeys: true } } },
    });
    if (rows.length === 0) {
      const status = await sftpServerStatus(this.deps.driver);
      this.applied = new Set();
      if (status.running || status.port !== undefined) {
        await removeSftpServer(this.deps.driver);
        this.deps.logger.info({}, 'sftp: no tenant has SFTP on; server removed');
      }
      return;
    }
    // A login must be an sshd user name: slugs are (a letter first, 32 characters at most); anything else is
    // left out with a warning rather than failing every tenant's access.
    const valid = rows.filter((row) => {
      if (SFTP_LOGIN_RE.test(row.tenant.slug)) return true;
      this.deps.logger.warn({ tenantId: row.tenant.id }, 'sftp: the tenant slug is not a valid login; SFTP left off');
      return false;
    });
    const accounts: SftpAccount[] = valid.map((row) => ({
      login: row.tenant.slug,
      tenantId: row.tenant.id,
      uid: row.tenant.uid,
      gid: row.tenant.uid,
      passwordHash: row.passwordHash,
      authorizedKeys: row.tenant.sftpKeys.map((k) => k.publicKey),
      locked: row.tenant.status !== 'active',
    }));
    // Until this pass has applied them, the accounts it changes may not get in: say so (`serves`).
    this.applied = new Set([...this.applied].filter((id) => accounts.some((a) => a.tenantId === id && !a.locked)));
    const result = await ensureSftpServer(this.deps.driver, {
      port: this.deps.port,
      bindAddress: this.deps.bind,
      accounts,
      ...(this.deps.throttle ? { throttle: this.deps.throttle } : {}),
    });
    this.applied = new Set(accounts.filter((a) => !a.locked).map((a) => a.tenantId));
    if (result.action !== 'unchanged')
      this.deps.logger.info({ action: result.action, accounts: accounts.length }, 'sftp: server converged');
  }
}

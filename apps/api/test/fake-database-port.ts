import type { TDatabaseEngine } from '@berth/contracts';
import type { AppsPort, DatabasePort, DatabaseUserSpec, WordPressInstall } from '../src/ports.js';

/**
 * FakeDatabasePort stands in for the database servers in route tests (the boundary the integration tests cross
 * for real): it keeps what a server would hold, so a test can see what the API asked of it.
 */
export class FakeDatabasePort implements DatabasePort {
  readonly databases = new Set<string>();
  readonly users = new Map<string, DatabaseUserSpec & { grants: string[] }>();
  /** When set, the next call fails like a server that cannot be reached. */
  failNext: Error | null = null;
  converged = 0;

  private check(): void {
    const err = this.failNext;
    this.failNext = null;
    if (err) throw err;
  }

  async createDatabase(engine: TDatabaseEngine, name: string): Promise<void> {
    this.check();
    this.databases.add(`${engine}:${name}`);
  }

  async dropDatabase(engine: TDatabaseEngine, name: string): Promise<void> {
    this.check();
    this.databases.delete(`${engine}:${name}`);
  }

  async applyUser(engine: TDatabaseEngine, user: DatabaseUserSpec, databases: readonly string[]): Promise<void> {
    this.check();
    this.users.set(`${engine}:${user.name}`, { ...user, grants: [...databases] });
  }

  async setPassword(engine: TDatabaseEngine, name: string, password: string): Promise<void> {
    this.check();
    const user = this.users.get(`${engine}:${name}`);
    if (user) user.password = password;
  }

  async setGrants(engine: TDatabaseEngine, name: string, databases: readonly string[]): Promise<void> {
    this.check();
    const user = this.users.get(`${engine}:${name}`);
    if (user) user.grants = [...databases];
  }

  async dropUser(engine: TDatabaseEngine, name: string): Promise<void> {
    this.check();
    this.users.delete(`${engine}:${name}`);
  }

  async adminTicket(): Promise<{ path: string; expiresAt: Date }> {
    this.check();
    return { path: `/sso/${'t'.repeat(43)}`, expiresAt: new Date(Date.now() + 120_000) };
  }

  converge(): void {
    this.converged += 1;
  }
}

/** FakeAppsPort stands in for the application installer in route tests: it records what it was asked to install. */
export class FakeAppsPort implements AppsPort {
  readonly installs: WordPressInstall[] = [];
  failNext: Error | null = null;

  async installWordPress(params: WordPressInstall): Promise<{ version: string }> {
    const err = this.failNext;
    this.failNext = null;
    if (err) throw err;
    this.installs.push(params);
    return { version: '6.1.1' };
  }
}

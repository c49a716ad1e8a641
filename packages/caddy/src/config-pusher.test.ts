import { afterEach, describe, expect, it } from 'vitest';
import { CaddyAdminError } from './admin-client.js';
import type { LiveConfig } from './admin-client.js';
import type { CaddyConfig } from './caddy-config.js';
import { CaddyConfigPusher } from './config-pusher.js';
import { buildSkeleton } from './skeleton/build-skeleton.js';
import { hashConfig } from './stable-hash.js';

/**
 * FakeCaddyAdmin stands in for Caddy's admin API (not for the pusher under test): it keeps a config and an
 * ETag, honours If-Match with 412 like Caddy 2.11, can fail on demand, and counts reloads.
 */
class FakeCaddyAdmin {
  config: CaddyConfig | null = null;
  version = 0;
  loads = 0;
  failNext = 0;
  loadDelayMs = 0;

  async getConfig(): Promise<LiveConfig> {
    return {
      config: this.config === null ? null : (JSON.parse(JSON.stringify(this.config)) as CaddyConfig),
      etag: `"/config/ ${this.version}"`,
    };
  }

  async load({ config, etag }: { config: CaddyConfig; etag?: string }): Promise<{ attempts: number }> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new CaddyAdminError({
        status: 500,
        method: 'POST',
        path: '/config/',
        body: '{"error":"loading new config: boom"}',
      });
    }
    if (etag !== undefined && etag !== `"/config/ ${this.version}"`) {
      throw new CaddyAdminError({
        status: 412,
        method: 'POST',
        path: '/config/',
        body: '{"error":"If-Match header did not match current config hash"}',
      });
    }
    await new Promise((r) => setTimeout(r, this.loadDelayMs));
    this.config = JSON.parse(JSON.stringify(config)) as CaddyConfig;
    this.version++;
    this.loads++;
    return { attempts: 1 };
  }
}

/** skeletonWith builds a skeleton that differs for each `variant` (its HTTP port), like a settings change. */
function skeletonWith(variant: number): CaddyConfig {
  return buildSkeleton({
    admin: { listen: 'unix//tmp/x.sock' },
    storage: { module: 'file_system', root: '/srv/caddy/storage' },
    table: { snapshot: '/srv/caddy/hosts.json', staticBase: '/srv/tenants', logsDir: '/srv/caddy/logs' },
    listen: { httpPort: 8000 + variant },
  });
}

const pushers: CaddyConfigPusher[] = [];
function makePusher(
  fake: FakeCaddyAdmin,
  state: { count: number },
  extra: Partial<ConstructorParameters<typeof CaddyConfigPusher>[0]> = {},
) {
  const pusher = new CaddyConfigPusher({
    client: fake,
    debounceMs: 10,
    retryInitialMs: 20,
    buildDesired: async () => skeletonWith(state.count),
    ...extra,
  });
  pushers.push(pusher);
  return pusher;
}

afterEach(async () => {
  await Promise.all(pushers.splice(0).map((p) => p.close()));
});

describe('CaddyConfigPusher', () => {
  it('coalesces a burst of 100 schedule() calls into one reload that contains all of them', async () => {
    const fake = new FakeCaddyAdmin();
    const state = { count: 0 };
    const pusher = makePusher(fake, state);
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, () => {
        state.count++;
        return pusher.schedule();
      }),
    );
    expect(outcomes.every((o) => o.status === 'pushed')).toBe(true);
    expect(fake.loads).toBe(1);
    expect(fake.config?.apps.http.http_port).toBe(8100);
  });

  it('pushes once more for changes that arrive during an in-flight push (single-flight)', async () => {
    const fake = new FakeCaddyAdmin();
    fake.loadDelayMs = 50;
    const state = { count: 1 };
    const pusher = makePusher(fake, state);
    const first = pusher.pushNow();
    await new Promise((r) => setTimeout(r, 20)); // first push is now inside load()
    state.count = 2;
    const a = pusher.schedule();
    state.count = 3;
    const b = pusher.schedule();
    await Promise.all([first, a, b]);
    expect(fake.loads).toBe(2);
    expect(fake.config?.apps.http.http_port).toBe(8003);
  });

  it('skips the reload when the config equals the last pushed one or the live one', async () => {
    const fake = new FakeCaddyAdmin();
    const state = { count: 3 };
    const pusher = makePusher(fake, state);
    expect((await pusher.pushNow()).status).toBe('pushed');
    expect((await pusher.schedule()).status).toBe('unchanged');
    // A second panel instance (fresh pusher) finds Caddy already running the same config.
    const other = makePusher(fake, state);
    expect((await other.pushNow({ force: true })).status).toBe('unchanged');
    expect(fake.loads).toBe(1);
    expect(pusher.stats).toMatchObject({ pushes: 1, skippedUnchanged: 1 });
    expect(other.stats).toMatchObject({ pushes: 0, skippedUnchanged: 1 });
    expect(pusher.lastPushedHash).toBe(hashConfig(fake.config));
  });

  it('retries with backoff after a failure until Caddy accepts the config', async () => {
    const fake = new FakeCaddyAdmin();
    fake.failNext = 2;
    const state = { count: 2 };
    const pusher = makePusher(fake, state);
    const first = await pusher.schedule();
    expect(first.status).toBe('failed');
    expect(first.status === 'failed' && first.error.message).toContain('boom');
    const deadline = Date.now() + 2_000;
    while (fake.loads === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(fake.loads).toBe(1);
    expect(pusher.stats.failures).toBe(2);
    expect(pusher.stats.pushes).toBe(1);
  });

  it('re-pushes when the watcher finds Caddy empty (restart) and leaves a healthy Caddy alone', async () => {
    const fake = new FakeCaddyAdmin();
    const state = { count: 2 };
    const pusher = makePusher(fake, state);
    await pusher.pushNow();
    expect(await pusher.checkOnce()).toBeUndefined();
    fake.config = null; // Caddy restarted with only its bootstrap config
    fake.version++;
    const outcome = await pusher.checkOnce();
    expect(outcome?.status).toBe('pushed');
    expect(fake.loads).toBe(2);
    // Drift: someone edited the config by hand; the check notices.
    const edited = JSON.parse(JSON.stringify(fake.config)) as CaddyConfig;
    edited.apps.http.servers['berth-https']!.routes.pop();
    fake.config = edited;
    expect((await pusher.checkOnce())?.status).toBe('pushed');
    expect(pusher.stats.recoveries).toBe(2);
  });

  it('resolves schedule() with a failure instead of rejecting when the build throws', async () => {
    const fake = new FakeCaddyAdmin();
    const pusher = makePusher(
      fake,
      { count: 1 },
      { buildDesired: async () => Promise.reject(new Error('db down')), retryInitialMs: 10_000 },
    );
    const outcome = await pusher.schedule();
    expect(outcome.status).toBe('failed');
    expect(fake.loads).toBe(0);
  });
});

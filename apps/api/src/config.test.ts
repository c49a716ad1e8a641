import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('needs no configuration', () => {
    const config = loadConfig({});
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.databaseUrl).toMatch(/^file:.*\/data\/berth\.db$/);
    expect(config.edgePorts).toEqual({ http: 80, https: 443 });
    expect(config.imageProfile).toBe('local');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      BERTH_DATA_DIR: '/var/lib/berth',
      BERTH_LISTEN: '[::1]:9090',
      BERTH_HTTP_PORT: '8081',
      BERTH_HTTPS_PORT: '8443',
      BERTH_IMAGE_PROFILE: 'official',
      BERTH_ADMIN_EMAIL: 'root@example.com',
      BERTH_ADMIN_PASSWORD: 'a-long-password',
      BERTH_PORT_RANGE: '30000-30100',
    });
    expect(config).toMatchObject({
      dataDir: '/var/lib/berth',
      databaseUrl: 'file:/var/lib/berth/berth.db',
      listen: { host: '::1', port: 9090 },
      edgePorts: { http: 8081, https: 8443 },
      imageProfile: 'official',
      admin: { email: 'root@example.com', password: 'a-long-password' },
      portRange: { first: 30000, last: 30100 },
    });
  });

  it('probes sites every 30 s and bounds provisioning at 5 min unless told otherwise, and refuses a zero interval', () => {
    expect(loadConfig({})).toMatchObject({ siteProbeIntervalMs: 30_000, provisionTimeoutMs: 300_000 });
    expect(loadConfig({ BERTH_SITE_PROBE_INTERVAL_S: '2', BERTH_PROVISION_TIMEOUT_S: '120' })).toMatchObject({
      siteProbeIntervalMs: 2_000,
      provisionTimeoutMs: 120_000,
    });
    expect(() => loadConfig({ BERTH_SITE_PROBE_INTERVAL_S: '0' })).toThrow(
      /BERTH_SITE_PROBE_INTERVAL_S: at least 1 second/,
    );
    expect(() => loadConfig({ BERTH_PROVISION_TIMEOUT_S: '5' })).toThrow(
      /BERTH_PROVISION_TIMEOUT_S: at least 10 seconds/,
    );
  });

  it('names every bad value at once, one line each', () => {
    try {
      loadConfig({
        BERTH_LISTEN: 'localhost',
        BERTH_HTTP_PORT: 'eighty',
        BERTH_IMAGE_PROFILE: 'docker-hub',
        DATABASE_URL: 'mysql://x',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.join('\n')).toMatch(/BERTH_LISTEN: use HOST:PORT/);
      expect(problems.join('\n')).toMatch(/BERTH_HTTP_PORT/);
      expect(problems.join('\n')).toMatch(/BERTH_IMAGE_PROFILE: must be 'local' or 'official'/);
      expect(problems.join('\n')).toMatch(/DATABASE_URL: only file: URLs/);
    }
  });

  it('serves the panel and the database admin tools on their own hosts, with public URLs on the edge port', () => {
    expect(loadConfig({})).toMatchObject({
      panel: { host: null, publicUrl: null },
      dbAdmin: { host: null, publicUrl: null, port: 8081 },
      databaseServers: { mariadbMemoryMb: 512, postgresqlMemoryMb: 256 },
    });
    expect(
      loadConfig({
        BERTH_PANEL_HOST: 'Panel.Example.com',
        BERTH_DB_ADMIN_HOST: 'db.example.com',
        BERTH_DB_ADMIN_PORT: '9444',
        BERTH_HTTPS_PORT: '8443',
      }),
    ).toMatchObject({
      panel: { host: 'panel.example.com', publicUrl: 'https://panel.example.com:8443' },
      dbAdmin: { host: 'db.example.com', publicUrl: 'https://db.example.com:8443', port: 9444 },
    });
    expect(() => loadConfig({ BERTH_PANEL_HOST: 'https://panel.example.com/' })).toThrow(
      /BERTH_PANEL_HOST: must be a host name/,
    );
    expect(() => loadConfig({ BERTH_PANEL_HOST: 'a.example.com', BERTH_DB_ADMIN_HOST: 'a.example.com' })).toThrow(
      /must differ/,
    );
  });

  it('requires two-factor sign-in for administrators only with BERTH_REQUIRE_ADMIN_2FA=1', () => {
    expect(loadConfig({}).requireAdminTwoFactor).toBe(false);
    expect(loadConfig({ BERTH_REQUIRE_ADMIN_2FA: '1' }).requireAdminTwoFactor).toBe(true);
    expect(() => loadConfig({ BERTH_REQUIRE_ADMIN_2FA: 'yes' })).toThrow(/BERTH_REQUIRE_ADMIN_2FA: must be '0' or '1'/);
  });

  it('refuses half an admin and clashing edge ports', () => {
    expect(() => loadConfig({ BERTH_ADMIN_EMAIL: 'a@b.co' })).toThrow(/set both or neither/);
    expect(() => loadConfig({ BERTH_HTTP_PORT: '8000', BERTH_HTTPS_PORT: '8000' })).toThrow(/must differ/);
  });
});

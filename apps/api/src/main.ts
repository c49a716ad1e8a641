import pino from 'pino';
import { applyMigrations, createDb } from '@berth/db';
import { buildApp, REDACT } from './app.js';
import { bootstrapPanel } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';
import { MIGRATIONS } from './paths.js';
import { startControlPlane, type ControlPlane } from './control/control-plane.js';
import { createControlPorts } from './ports.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { loadWebhookConfig } from './webhooks/webhooks.config.js';
import { loadRetentionPolicy, RetentionJob } from './retention/retention.job.js';
import { loadDomainVerificationConfig } from './domains/domain-verification.js';

/** main starts the panel: validate configuration, migrate the database, bootstrap, listen. */
async function main(): Promise<void> {
  let config;
  let webhookConfig;
  let retentionPolicy;
  let domainVerification;
  try {
    config = loadConfig();
    webhookConfig = loadWebhookConfig();
    retentionPolicy = loadRetentionPolicy();
    domainVerification = loadDomainVerificationConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, redact: REDACT });
  const db = await createDb({ url: config.databaseUrl });
  const applied = await applyMigrations({ db, dir: MIGRATIONS });
  if (applied.length > 0) logger.info({ applied }, 'database migrated');
  const boot = await bootstrapPanel({ db, admin: config.admin });
  if (boot.generatedPassword) {
    // Printed once, on the first start only; it is stored nowhere but as an argon2id hash.
    logger.warn(
      { email: config.admin.email, password: boot.generatedPassword },
      'first admin created with a generated password; change it after signing in',
    );
  } else if (boot.createdAdmin) {
    logger.info({ email: config.admin.email }, 'first admin created');
  }
  // The control plane starts after the server listens; it binds these ports then (control-plane.ts).
  const ports = createControlPorts();
  const { app, services } = await buildApp({
    config: {
      ...config,
      webhooks: webhookConfig,
      domainVerification,
      dbAdminUrl: config.dbAdmin.publicUrl,
      panelUrl: config.panel.publicUrl,
      tenantDisks: true,
      sftp: { host: config.sftp.host, port: config.sftp.port },
    },
    db,
    logger,
    ports,
  });
  const controlRef: { current?: ControlPlane } = {};
  const webhooks = new WebhookDispatcher({
    db,
    dataKey: services.dataKey,
    policy: { allowLoopback: webhookConfig.allowLoopback, panelPort: config.listen.port },
    logger,
  });
  const retention = new RetentionJob({ db, policy: retentionPolicy, logger });
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    retention.stop();
    await webhooks.stop();
    await controlRef.current?.stop();
    await app.close();
    await db.$disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ host: config.listen.host, port: config.listen.port });
  const shownHost = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  logger.info({ url: `http://${shownHost}:${config.listen.port}/` }, 'berth console ready');
  // Webhooks never wait for the control plane (nor it for them).
  webhooks.start();
  retention.start();
  // After listen: Caddy asks the panel's on-demand TLS endpoint as soon as it has routes.
  controlRef.current = await startControlPlane({ config, db, services, ports, logger });
  logger.info(
    { edge: config.edge.mode, httpPort: config.edgePorts.http, httpsPort: config.edgePorts.https },
    'control plane running',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `berth failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

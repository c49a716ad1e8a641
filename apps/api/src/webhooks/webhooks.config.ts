import { z } from 'zod';
import { ConfigError } from '../config.js';

const ZWebhookEnv = z.object({
  BERTH_WEBHOOK_ALLOW_LOOPBACK: z.enum(['0', '1'], { message: "must be '0' or '1'" }).default('0'),
});

/** WebhookConfig is the webhook part of the panel's configuration. */
export interface WebhookConfig {
  /** Let webhooks reach this host (a billing system on the same machine, tests); off by default. */
  allowLoopback: boolean;
}

/** loadWebhookConfig reads BERTH_WEBHOOK_ALLOW_LOOPBACK; a bad value is a ConfigError like every other setting. */
export function loadWebhookConfig(env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  const parsed = ZWebhookEnv.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])])})`,
      ),
    );
  }
  return { allowLoopback: parsed.data.BERTH_WEBHOOK_ALLOW_LOOPBACK === '1' };
}

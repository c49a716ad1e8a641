import type { DockerDriver } from '../runtime.types.js';
import { LABELS } from '../labels.js';

/** DockerChange is a lifecycle change of a Berth-labelled container, or the engine coming back. */
export type DockerChange = { kind: 'container'; tenantId: string; action: string } | { kind: 'engine-reconnected' };

/**
 * watchDockerEvents follows the engine's event stream for Berth's containers (die, destroy, stop, oom…) and
 * reports each one, so the reconciler repairs drift at once instead of at its next timer tick. When the
 * stream ends (the engine restarted), it reconnects with backoff and reports `engine-reconnected`.
 */
export function watchDockerEvents(ctx: DockerDriver, onChange: (change: DockerChange) => void): { stop(): void } {
  let stopped = false;
  let current: NodeJS.ReadableStream | undefined;
  let delay = 500;
  const connect = async (reconnected: boolean): Promise<void> => {
    if (stopped) return;
    try {
      const stream = (await ctx.docker.getEvents({
        filters: {
          type: ['container'],
          label: [`${LABELS.managed}=${ctx.instance}`],
          event: ['die', 'destroy', 'stop', 'oom', 'kill', 'pause'],
        },
      })) as NodeJS.ReadableStream;
      current = stream;
      delay = 500;
      if (reconnected) onChange({ kind: 'engine-reconnected' });
      let buffer = '';
      stream.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          try {
            const event = JSON.parse(line) as { Action?: string; Actor?: { Attributes?: Record<string, string> } };
            const tenantId = event.Actor?.Attributes?.[LABELS.tenant];
            if (tenantId) onChange({ kind: 'container', tenantId, action: event.Action ?? 'unknown' });
          } catch (err) {
            ctx.logger?.warn({ err }, 'runtime: unreadable docker event');
          }
        }
      });
      stream.on('end', () => void retry());
      stream.on('error', () => void retry());
    } catch (err) {
      ctx.logger?.warn({ err }, 'runtime: docker event stream unavailable; retrying');
      await retry();
    }
  };
  const retry = async (): Promise<void> => {
    if (stopped) return;
    current = undefined;
    await new Promise((r) => setTimeout(r, delay).unref());
    delay = Math.min(delay * 2, 15_000);
    await connect(true);
  };
  void connect(false);
  return {
    stop() {
      stopped = true;
      (current as unknown as { destroy?: () => void } | undefined)?.destroy?.();
    },
  };
}

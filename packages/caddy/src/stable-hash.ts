import { createHash } from 'node:crypto';

/**
 * canonicalJson serialises a JSON value with object keys sorted at every depth, so two configs that differ
 * only in key order (ours vs. what Caddy echoes on `GET /config/`) serialise identically.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** hashConfig is the sha256 (hex) of canonicalJson(config): the identity the pusher uses to skip no-op reloads. */
export function hashConfig(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

import { z } from 'zod';

// A plan's egress allow-list: destinations its tenants' containers may reach although Berth's default egress
// rules deny them (private ranges, link-local, the host, SMTP). One definition of the entry format, used by the
// API (ZEgressAllow) and re-checked by the runtime before an entry becomes a firewall rule.

/** EGRESS_ALLOW_MAX is how many entries one plan's allow-list may hold. */
export const EGRESS_ALLOW_MAX = 32;

/**
 * EGRESS_ALLOW_MIN_PREFIX is the widest network an entry may name (/8, the size of 10.0.0.0/8): 0.0.0.0/0, or
 * 0.0.0.0/1 + 128.0.0.0/1, would lift every default rule at once.
 */
export const EGRESS_ALLOW_MIN_PREFIX = 8;

/** EgressAllowEntry is one parsed entry: an IPv4 network and, optionally, one port (TCP and UDP). */
export interface EgressAllowEntry {
  /** Network address with host bits zero, e.g. `10.0.5.0`. */
  address: string;
  prefix: number;
  port?: number;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ENTRY_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(3[0-2]|[12]?\\d)(?::([1-9]\\d{0,4}))?$`);

/**
 * parseEgressAllowEntry reads `CIDR` or `CIDR:port` (IPv4, e.g. `10.0.5.0/24:3306`, `203.0.113.7/32`). It
 * refuses host bits set (`10.0.5.1/24`: did you mean 10.0.5.0/24?), networks wider than /8 and ports outside
 * 1–65535, and says why.
 */
export function parseEgressAllowEntry(
  value: string,
): { ok: true; entry: EgressAllowEntry } | { ok: false; reason: string } {
  const m = typeof value === 'string' ? ENTRY_RE.exec(value) : null;
  if (!m) return { ok: false, reason: 'Use an IPv4 CIDR, optionally with a port: 10.0.5.0/24 or 10.0.5.0/24:3306.' };
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (prefix < EGRESS_ALLOW_MIN_PREFIX)
    return {
      ok: false,
      reason: `A network may be at most a /${EGRESS_ALLOW_MIN_PREFIX}; 0.0.0.0/0 would lift every egress rule.`,
    };
  const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const base = addr - (addr % size);
  if (base !== addr) {
    const network = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join('.');
    return { ok: false, reason: `${m.slice(1, 5).join('.')}/${prefix} has host bits set; use ${network}/${prefix}.` };
  }
  const port = m[6] === undefined ? undefined : Number(m[6]);
  if (port !== undefined && port > 65_535) return { ok: false, reason: 'A port is between 1 and 65535.' };
  return { ok: true, entry: { address: octets.join('.'), prefix, ...(port === undefined ? {} : { port }) } };
}

/** ZEgressAllowEntry is one allow-list entry as typed: `CIDR` or `CIDR:port`. */
export const ZEgressAllowEntry = z
  .string()
  .max(24, 'An entry is at most 24 characters (255.255.255.255/32:65535).')
  .superRefine((value, ctx) => {
    const parsed = parseEgressAllowEntry(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  });

/** ZEgressAllow is a plan's allow-list: at most EGRESS_ALLOW_MAX distinct entries. */
export const ZEgressAllow = z
  .array(ZEgressAllowEntry)
  .max(EGRESS_ALLOW_MAX, `At most ${EGRESS_ALLOW_MAX} egress entries.`)
  .refine((list) => new Set(list).size === list.length, 'Each egress entry may appear only once.');

import { createHash } from 'node:crypto';
import { parseEgressAllowEntry } from '../contracts.js';
import { RuntimeError } from '../errors.js';
import { assertInterfaceName, assertIpv4, assertPort, assertSlug } from '../inputs.guard.js';

// The egress rules of tenant containers, as iptables-save text. Pure: from (installation, tenants, resolvers)
// to Berth's chains, and from those and the table as it is now to the one iptables-restore script that makes
// the table so. Everything Berth writes lives in chains named `BERTH-<installation tag>-…`; the only lines it
// ever puts into a chain it does not own are one jump in DOCKER-USER and one in INPUT.

/**
 * EGRESS_DENIED is what a tenant container may not reach unless its plan allows it: link-local (cloud
 * metadata at 169.254.169.254), the private ranges and shared address space (other machines of the
 * operator's network). The host itself is denied as a whole in the INPUT chain.
 */
export const EGRESS_DENIED = [
  '169.254.0.0/16',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
] as const;

/** SMTP_PORT is denied to every destination: tenants send mail through a relay the plan allows (`relay/32:25`). */
export const SMTP_PORT = 25;

const REPLIES = '-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN';

/** EgressTenant is one tenant's bridge interface and its plan's allow-list (`CIDR` or `CIDR:port` entries). */
export interface EgressTenant {
  tenantId: string;
  bridge: string;
  allow: readonly string[];
}

/** EgressHook is a chain Berth does not own but jumps from: DOCKER-USER (forwarded traffic) and INPUT (the host). */
export type EgressHook = 'DOCKER-USER' | 'INPUT';

/** EgressRuleset is the whole desired state of one installation's chains, in iptables-save form. */
export interface EgressRuleset {
  /** `BERTH-<tag>-`: every chain of this installation starts with it, and no other chain does. */
  prefix: string;
  /** Berth's chains in order, each with its `-A` lines exactly as iptables-save prints them. */
  chains: { name: string; rules: string[] }[];
  /** The jump each hook chain needs into Berth's chains; none when there are no tenants. */
  jumps: { from: EgressHook; to: string }[];
}

/**
 * egressChainPrefix is `BERTH-<tag>-` where tag is the first 8 characters of the installation id (a hash
 * when the id is not hex), so several installations sharing one host each rewrite only their own chains.
 */
export function egressChainPrefix(instance: string): string {
  const tag = /^[a-f0-9]{8,}$/.test(instance)
    ? instance.slice(0, 8)
    : createHash('sha256').update(instance).digest('hex').slice(0, 8);
  return `BERTH-${tag}-`;
}

function tenantTag(tenantId: string): string {
  return createHash('sha256').update(tenantId).digest('hex').slice(0, 10);
}

/**
 * assertEgressAllow checks a plan's allow-list entry by entry (the format of `parseEgressAllowEntry`, shared
 * with the API) and returns it without duplicates; a bad entry is an INVALID_INPUT naming it and the tenant.
 */
export function assertEgressAllow(tenantId: string, allow: readonly string[]): string[] {
  destinations(allow, tenantId);
  return [...new Set(allow)];
}

function destinations(allow: readonly string[], tenantId: string): string[] {
  return allow.flatMap((raw) => {
    const parsed = parseEgressAllowEntry(raw);
    if (!parsed.ok) {
      throw new RuntimeError(
        'INVALID_INPUT',
        `Invalid egress allow entry ${JSON.stringify(raw)} for tenant ${tenantId}: ${parsed.reason}`,
        {
          details: { what: 'egress allow entry', value: raw, tenantId },
        },
      );
    }
    const { address, prefix, port } = parsed.entry;
    const cidr = `${assertIpv4(address)}/${prefix}`;
    if (port === undefined) return [`-d ${cidr} -j RETURN`];
    const p = assertPort(port, 'egress allow port');
    return [`-d ${cidr} -p tcp -m tcp --dport ${p} -j RETURN`, `-d ${cidr} -p udp -m udp --dport ${p} -j RETURN`];
  });
}

function dns(resolvers: readonly string[]): string[] {
  return resolvers.flatMap((r) => {
    const ip = assertIpv4(r);
    return [`-d ${ip}/32 -p udp -m udp --dport 53 -j RETURN`, `-d ${ip}/32 -p tcp -m tcp --dport 53 -j RETURN`];
  });
}

/**
 * buildEgressRuleset turns tenants into chains. Per tenant, forwarded traffic (`…-E<tenant>`): replies,
 * traffic to its own bridge (webserver ↔ PHP-FPM), DNS to the resolvers Docker's embedded DNS forwards to, the
 * plan's allow-list, then the denies (EGRESS_DENIED, SMTP); everything else returns to Docker's own rules.
 * Traffic to the host (`…-I<tenant>`): replies, DNS to the resolvers, the allow-list, then rejected — a tenant
 * reaches none of the host's addresses (its bridge's gateway, the public IP, other bridges). Two dispatch chains
 * (`…-EGRESS`, `…-INPUT`) send each tenant bridge's packets to its chains; a packet from any other interface
 * matches nothing and returns untouched. Denied packets go to `…-REJECT` (a TCP reset, else ICMP
 * administratively prohibited). Every value is asserted before it is placed in a rule.
 */
export function buildEgressRuleset(input: {
  instance: string;
  tenants: readonly EgressTenant[];
  resolvers: readonly string[];
}): EgressRuleset {
  const prefix = egressChainPrefix(input.instance);
  const resolverRules = dns([...new Set(input.resolvers)]);
  const tenants = [...input.tenants].sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
  if (tenants.length === 0) return { prefix, chains: [], jumps: [] };

  const forward = `${prefix}EGRESS`;
  const host = `${prefix}INPUT`;
  // Refused, not dropped: a TCP connect fails at once with a reset ("connection refused"), anything else
  // gets ICMP administratively prohibited, so a tenant's code sees an error instead of hanging.
  const reject = `${prefix}REJECT`;
  const REJECT = `-j ${reject}`;
  const dispatch = { forward: [] as string[], host: [] as string[] };
  const perTenant: { name: string; rules: string[] }[] = [];
  const seen = { tenants: new Set<string>(), bridges: new Set<string>(), tags: new Set<string>() };
  for (const t of tenants) {
    const tenantId = assertSlug(t.tenantId, 'tenant id');
    const bridge = assertInterfaceName(t.bridge);
    const tag = tenantTag(tenantId);
    if (seen.tenants.has(tenantId) || seen.bridges.has(bridge) || seen.tags.has(tag)) {
      throw new RuntimeError(
        'INVALID_INPUT',
        `Egress rules got tenant ${tenantId} (bridge ${bridge}) twice; each tenant has one bridge.`,
        { details: { tenantId, bridge } },
      );
    }
    seen.tenants.add(tenantId);
    seen.bridges.add(bridge);
    seen.tags.add(tag);
    const allowed = destinations([...new Set(t.allow)], tenantId);
    const e = `${prefix}E${tag}`;
    const i = `${prefix}I${tag}`;
    const comment = `-m comment --comment "berth tenant ${tenantId}"`;
    dispatch.forward.push(`-A ${forward} -i ${bridge} ${comment} -j ${e}`);
    dispatch.host.push(`-A ${host} -i ${bridge} ${comment} -j ${i}`);
    perTenant.push({
      name: e,
      rules: [
        REPLIES,
        `-o ${bridge} -j RETURN`,
        ...resolverRules,
        ...allowed,
        ...EGRESS_DENIED.map((cidr) => `-d ${cidr} ${REJECT}`),
        `-p tcp -m tcp --dport ${SMTP_PORT} ${REJECT}`,
      ].map((rule) => `-A ${e} ${rule}`),
    });
    perTenant.push({
      name: i,
      rules: [REPLIES, ...resolverRules, ...allowed, REJECT].map((rule) => `-A ${i} ${rule}`),
    });
  }
  return {
    prefix,
    chains: [
      { name: forward, rules: dispatch.forward },
      { name: host, rules: dispatch.host },
      {
        name: reject,
        rules: [
          `-A ${reject} -p tcp -j REJECT --reject-with tcp-reset`,
          `-A ${reject} -j REJECT --reject-with icmp-admin-prohibited`,
        ],
      },
      ...perTenant,
    ],
    jumps: [
      { from: 'DOCKER-USER', to: forward },
      { from: 'INPUT', to: host },
    ],
  };
}

/**
 * parseNameservers reads the IPv4 `nameserver` lines of a resolv.conf (IPv6 ones are left out: tenant bridges
 * have no IPv6, so Docker's embedded DNS cannot forward to them from a tenant's network).
 */
export function parseNameservers(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)\s*$/.exec(line);
    if (
      m &&
      /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(m[1] ?? '') &&
      !out.includes(m[1] as string)
    )
      out.push(m[1] as string);
  }
  return out;
}

/** SavedTable is one table of `iptables-save` output: every chain with its `-A` lines in order. */
export type SavedTable = Map<string, string[]>;

/** parseIptablesSave reads the `*filter` table (or `table`) of iptables-save output. */
export function parseIptablesSave(text: string, table = 'filter'): SavedTable {
  const chains: SavedTable = new Map();
  let inside = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) inside = line === `*${table}`;
    else if (!inside) continue;
    else if (line === 'COMMIT') inside = false;
    else if (line.startsWith(':')) chains.set(line.slice(1).split(' ')[0] ?? '', []);
    else if (line.startsWith('-A ')) chains.get(line.split(' ')[1] ?? '')?.push(line);
  }
  return chains;
}

/** A rule with no match before its target ends the chain for every packet: a jump placed after it never runs. */
const UNCONDITIONAL_END = /^-A \S+ -j (RETURN|ACCEPT|DROP|REJECT)\b/;

function jumpInPlace(current: SavedTable, from: string, to: string): { count: number; ok: boolean } {
  const rules = current.get(from) ?? [];
  const jump = `-A ${from} -j ${to}`;
  const at = rules.flatMap((r, i) => (r === jump ? [i] : []));
  const end = rules.findIndex((r) => UNCONDITIONAL_END.test(r));
  return { count: at.length, ok: at.length === 1 && (end === -1 || (at[0] as number) < end) };
}

/**
 * egressRestoreScript is the iptables-restore input (for `--noflush`) that makes this installation's chains
 * exactly `ruleset`, or null when the table already is so. It declares (creates or flushes) each of Berth's
 * chains and refills it, deletes this installation's chains that are no longer wanted, and adds, moves or
 * removes the one jump in each hook chain — one transaction, so no packet sees a half-written state. It
 * never declares, flushes or deletes a chain outside `ruleset.prefix`.
 */
export function egressRestoreScript(ruleset: EgressRuleset, current: SavedTable): string | null {
  const { prefix } = ruleset;
  const wanted = new Map(ruleset.chains.map((c) => [c.name, c.rules]));
  for (const name of wanted.keys()) {
    if (!name.startsWith(prefix))
      throw new RuntimeError('INVALID_INPUT', `Egress chain ${name} is not one of Berth's (${prefix}…).`);
  }
  const stale = [...current.keys()].filter((name) => name.startsWith(prefix) && !wanted.has(name));
  const hooks: { from: string; to: string; count: number; ok: boolean; keep: boolean }[] = [];
  for (const from of ['DOCKER-USER', 'INPUT'] as const) {
    const to = `${prefix}${from === 'DOCKER-USER' ? 'EGRESS' : 'INPUT'}`;
    const keep = ruleset.jumps.some((j) => j.from === from && j.to === to);
    hooks.push({ from, to, keep, ...jumpInPlace(current, from, to) });
  }
  const same =
    stale.length === 0 &&
    [...wanted].every(([name, rules]) => {
      const now = current.get(name);
      return now !== undefined && now.length === rules.length && now.every((r, i) => r === rules[i]);
    }) &&
    hooks.every((h) => (h.keep ? h.ok : h.count === 0));
  if (same) return null;

  const lines = ['*filter'];
  for (const name of [...wanted.keys(), ...stale]) lines.push(`:${name} - [0:0]`);
  for (const h of hooks) {
    if (h.keep && h.ok) continue;
    for (let n = 0; n < h.count; n++) lines.push(`-D ${h.from} -j ${h.to}`);
  }
  for (const rules of wanted.values()) lines.push(...rules);
  for (const h of hooks) if (h.keep && !h.ok) lines.push(`-I ${h.from} 1 -j ${h.to}`);
  for (const name of stale) lines.push(`-X ${name}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

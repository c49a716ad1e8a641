import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { Resolver } from 'node:dns/promises';
import { z } from 'zod';
import { ConfigError } from '../config.js';

/**
 * DomainVerificationConfig is the installation's hostname ownership policy:
 * - `off` (default): any tenant may add any unused hostname (the panel trusts its tenants' names).
 * - `dns`: a new hostname is served, and gets certificates, only once its owner proved control of its DNS:
 *   a TXT record `_berth-verify.<hostname>` with the value the panel shows, or the hostname's A/AAAA
 *   records pointing at one of this server's public addresses (BERTH_PUBLIC_IPS). An administrator can
 *   vouch for a hostname instead. This stops subdomain takeover under wildcard DNS and protects the
 *   installation's shared ACME rate limits.
 * Hostnames added while the policy was off stay verified (they were served already).
 */
export interface DomainVerificationConfig {
  mode: 'off' | 'dns';
  publicIps: string[];
  /** Resolvers to ask (`host` or `host:port`), default the system's. */
  dnsServers: string[];
  /** The panel's own host names (BERTH_PANEL_HOST, BERTH_DB_ADMIN_HOST): no tenant may add them. */
  reserved?: string[];
}

const ZVerificationEnv = z.object({
  BERTH_DOMAIN_VERIFICATION: z.enum(['off', 'dns'], { message: "must be 'off' or 'dns'" }).default('off'),
  BERTH_PUBLIC_IPS: z
    .string()
    .refine((v) => v.split(',').every((ip) => isIP(ip.trim()) !== 0), 'must be IP addresses separated by commas')
    .optional(),
  BERTH_DNS_SERVERS: z
    .string()
    .regex(/^[0-9a-fA-F.:[\]]+(,[0-9a-fA-F.:[\]]+)*$/, 'must be resolver addresses (IP or IP:port) separated by commas')
    .optional(),
  BERTH_PANEL_HOST: z.string().toLowerCase().optional(),
  BERTH_DB_ADMIN_HOST: z.string().toLowerCase().optional(),
});

/** loadDomainVerificationConfig reads the policy from the environment (ConfigError names a bad value). */
export function loadDomainVerificationConfig(env: NodeJS.ProcessEnv = process.env): DomainVerificationConfig {
  const parsed = ZVerificationEnv.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])])})`,
      ),
    );
  }
  const split = (v: string | undefined) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
  return {
    mode: parsed.data.BERTH_DOMAIN_VERIFICATION,
    publicIps: split(parsed.data.BERTH_PUBLIC_IPS),
    dnsServers: split(parsed.data.BERTH_DNS_SERVERS),
    reserved: [parsed.data.BERTH_PANEL_HOST, parsed.data.BERTH_DB_ADMIN_HOST].filter((h): h is string => !!h),
  };
}

/** VERIFY_LABEL is the name under which the TXT record is published. */
export const VERIFY_LABEL = '_berth-verify';

/** newVerifyToken is the value a tenant publishes; random, so one tenant cannot reuse another's proof. */
export function newVerifyToken(): string {
  return randomBytes(16).toString('hex');
}

/**
 * initialVerification is how a new domain row starts, whichever path creates it: under the dns policy it
 * waits for proof with a fresh token, otherwise it is verified (served) at once.
 */
export function initialVerification(
  verifier: Pick<DomainVerifier, 'required'>,
): { verifyToken: string } | { verifiedAt: Date } {
  return verifier.required ? { verifyToken: newVerifyToken() } : { verifiedAt: new Date() };
}

/** verificationRecord is what the tenant must publish for `hostname`. */
export function verificationRecord(hostname: string, token: string): { name: string; value: string } {
  return { name: `${VERIFY_LABEL}.${hostname}`, value: `berth-verify=${token}` };
}

export type VerificationOutcome = { ok: true; via: 'txt' | 'address' } | { ok: false; found: string[] };

/**
 * DomainVerifier asks DNS whether the owner of a hostname published its token (TXT), or points the name at
 * this server (A/AAAA in BERTH_PUBLIC_IPS). Lookups time out quickly; a failure is an answer, not an error.
 */
export class DomainVerifier {
  private readonly resolver: Resolver;

  constructor(private readonly config: DomainVerificationConfig) {
    this.resolver = new Resolver({ timeout: 3_000, tries: 2 });
    if (config.dnsServers.length > 0) this.resolver.setServers(config.dnsServers);
  }

  get required(): boolean {
    return this.config.mode === 'dns';
  }

  /** reserved are the panel's own host names, which no tenant's domain may take. */
  get reserved(): readonly string[] {
    return this.config.reserved ?? [];
  }

  async check(hostname: string, token: string): Promise<VerificationOutcome> {
    const expected = verificationRecord(hostname, token);
    const found: string[] = [];
    const txt = await this.resolver.resolveTxt(expected.name).catch(() => [] as string[][]);
    for (const chunks of txt) {
      const value = chunks.join('');
      if (value === expected.value) return { ok: true, via: 'txt' };
      found.push(`TXT ${expected.name} "${value.slice(0, 100)}"`);
    }
    if (this.config.publicIps.length > 0) {
      const addresses = [
        ...(await this.resolver.resolve4(hostname).catch(() => [] as string[])),
        ...(await this.resolver.resolve6(hostname).catch(() => [] as string[])),
      ];
      if (addresses.length > 0 && addresses.every((a) => this.config.publicIps.includes(a)))
        return { ok: true, via: 'address' };
      found.push(...addresses.map((a) => `address ${a}`));
    }
    return { ok: false, found };
  }
}

import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import { AppError } from '../errors.js';

/**
 * WebhookTargetPolicy says where webhooks may go. By default never to this host (loopback or any of its
 * own addresses: the panel's API, Docker's or Caddy's admin), nor to link-local (cloud metadata),
 * unspecified, multicast or broadcast addresses. `allowLoopback` (BERTH_WEBHOOK_ALLOW_LOOPBACK=1) lets a
 * billing system on the same host receive them; even then the panel's own port and the usual Docker
 * (2375, 2376) and Caddy (2019) admin ports stay closed.
 */
export interface WebhookTargetPolicy {
  allowLoopback: boolean;
  /** The port the panel's API listens on. */
  panelPort?: number;
}

const ADMIN_PORTS = [2019, 2375, 2376];

const NEVER = new net.BlockList();
NEVER.addSubnet('0.0.0.0', 8, 'ipv4');
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addSubnet('224.0.0.0', 4, 'ipv4');
NEVER.addAddress('255.255.255.255', 'ipv4');
NEVER.addAddress('::', 'ipv6');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addSubnet('ff00::', 8, 'ipv6');

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** unmapped turns `::ffff:127.0.0.1` into `127.0.0.1` so IPv4 rules apply to mapped addresses too. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : address;
}

function isLocalAddress(address: string): boolean {
  const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
  if (LOOPBACK.check(address, family)) return true;
  return Object.values(os.networkInterfaces()).some((list) => list?.some((i) => unmapped(i.address) === address));
}

/** forbiddenReason says why `address` (an IP) may not receive webhooks, or null when it may. */
export function forbiddenReason(rawAddress: string, policy: WebhookTargetPolicy, port?: number): string | null {
  const address = unmapped(rawAddress);
  const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
  if (NEVER.check(address, family)) return `${address} is a link-local, unspecified or multicast address`;
  if (!isLocalAddress(address)) return null;
  if (!policy.allowLoopback)
    return `${address} is this host (set BERTH_WEBHOOK_ALLOW_LOOPBACK=1 to allow a receiver on the same machine)`;
  if (port !== undefined && (port === policy.panelPort || ADMIN_PORTS.includes(port)))
    return `port ${port} on this host is the panel's or an admin API`;
  return null;
}

function refuse(message: string): AppError {
  return new AppError('VALIDATION_FAILED', `Webhook URL not allowed: ${message}.`, {
    details: { issues: [{ in: 'body', path: ['url'], message }] },
  });
}

/**
 * checkWebhookTarget resolves the URL's host and refuses it when any of its addresses is forbidden by
 * the policy. It runs when an endpoint is saved and again before every delivery (DNS can change); the
 * dispatcher's connections also go through guardedLookup, so a rebinding between the two is caught.
 */
export async function checkWebhookTarget(rawUrl: string, policy: WebhookTargetPolicy): Promise<void> {
  const url = new URL(rawUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('only http:// and https:// URLs');
  if (url.username || url.password) throw refuse('credentials in the URL');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (net.isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
    } catch (error) {
      throw new AppError('VALIDATION_FAILED', `Webhook URL not allowed: ${host} does not resolve.`, {
        cause: error,
        details: { issues: [{ in: 'body', path: ['url'], message: 'The host name does not resolve.' }] },
      });
    }
  }
  for (const address of addresses) {
    const reason = forbiddenReason(address, policy, port);
    if (reason) throw refuse(reason);
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/** guardedLookup is a `dns.lookup` for outgoing connections that fails for any forbidden address. */
export function guardedLookup(policy: WebhookTargetPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const bad = addresses.find((a) => forbiddenReason(a.address, policy) !== null);
      if (bad || addresses.length === 0) {
        const error: NodeJS.ErrnoException = new Error(
          `${hostname} resolves to ${bad?.address ?? 'nothing'}, which webhooks may not reach`,
        );
        error.code = 'EBLOCKEDTARGET';
        return callback(error, []);
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

import http from 'node:http';
import https from 'node:https';
import type { Db } from '@berth/db';
import type { DesiredStore } from '@berth/reconciler';
import type { FastifyBaseLogger } from 'fastify';

/** ProbeResult is what a visitor of one hostname got from the edge: served, or the reason it was not. */
export type ProbeResult = { ok: true; status: number } | { ok: false; reason: string };

/** Answers that mean the way to the site is broken (not the site's own code): the edge, Varnish or the webserver's upstream. */
const GATEWAY_ERRORS = new Set([502, 503, 504]);

/**
 * probeSite asks the edge for `/` of `hostname` as a visitor would (SNI and Host, through Caddy's public
 * port on loopback). A site counts as served unless the answer is a gateway error (502/503/504), the TLS
 * handshake fails or nothing answers in time: a 404 or a 500 of the site's own code is still the site.
 */
export function probeSite({
  scheme,
  port,
  hostname,
  timeoutMs = 5_000,
}: {
  scheme: 'http' | 'https';
  port: number;
  hostname: string;
  timeoutMs?: number;
}): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const options = {
      host: '127.0.0.1',
      port,
      path: '/',
      method: 'GET',
      headers: { host: hostname, 'user-agent': 'berth-site-probe' },
      agent: false,
      timeout: timeoutMs,
    };
    const onResponse = (res: http.IncomingMessage) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(
        GATEWAY_ERRORS.has(status)
          ? {
              ok: false,
              reason: `Visitors of ${hostname} get ${status} ${http.STATUS_CODES[status] ?? ''} from the edge.`.replace(
                ' .',
                '.',
              ),
            }
          : { ok: true, status },
      );
    };
    const req =
      scheme === 'https'
        ? https.request({ ...options, servername: hostname, rejectUnauthorized: false }, onResponse)
        : http.request(options, onResponse);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      const reason =
        err.message === 'timeout'
          ? `The edge did not answer for ${hostname} within ${Math.round(timeoutMs / 1000)} s.`
          : `Visitors of ${hostname} cannot connect over ${scheme.toUpperCase()}: ${err.message}.`;
      resolve({ ok: false, reason });
    });
    req.end();
  });
}

/**
 * schemeOf says how a hostname is probed: plain HTTP without TLS, HTTPS otherwise, except `auto` (ACME)
 * hostnames that never had a certificate (null: not probed). Before their first certificate the certificate
 * status says why visitors cannot connect, and a probe must not ask for issuance.
 */
function schemeOf(d: { tlsMode: string; certIssuer: string | null }): 'http' | 'https' | null {
  if (d.tlsMode === 'off') return 'http';
  return d.tlsMode === 'auto' && !d.certIssuer ? null : 'https';
}

interface ProbeTarget {
  siteId: string;
  tenantId: string;
  status: string;
  hostname: string;
  scheme: 'http' | 'https';
}

/** How many failed probes in a row (RECHECK_MS apart) make a live site degraded: one blip during a container swap does not. */
const FAILS_TO_DEGRADE = 2;
const RECHECK_MS = 1_000;
/** How long one probe waits for the edge's answer. */
const PROBE_TIMEOUT_MS = 4_000;

/**
 * SiteProber keeps `live` honest. Every interval it probes one served hostname of each live or degraded site
 * through the edge (a few at a time, each bounded): a live site that fails twice a second apart becomes `degraded`
 * with the reason, and its tenant gets a repair pass; a degraded site that answers again is `live`. It also
 * bounds provisioning: a site still `pending` or `provisioning` after `provisionTimeoutMs` becomes `failed`,
 * which the tenant can retry. Tenants with a pass in progress are left alone until it ends.
 */
export class SiteProber {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly deps: {
      db: Db;
      store: DesiredStore;
      ports: { http: number; https: number };
      intervalMs: number;
      provisionTimeoutMs: number;
      busy: (tenantId: string) => boolean;
      repair: (tenantId: string) => void;
      logger: FastifyBaseLogger;
      concurrency?: number;
    },
  ) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      await this.runOnce();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.deps.intervalMs).unref();
    };
    this.timer = setTimeout(() => void tick(), this.deps.intervalMs).unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** runOnce is one round: the provisioning bound, then one probe per live or degraded site. */
  async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.failStuck();
      const targets = (await this.targets()).filter((t) => !this.deps.busy(t.tenantId));
      const queue = [...targets];
      const worker = async () => {
        for (let t = queue.shift(); t; t = queue.shift()) await this.probe(t);
      };
      await Promise.all(Array.from({ length: this.deps.concurrency ?? 4 }, worker));
    } catch (err) {
      this.deps.logger.warn({ err }, 'site probe: round failed');
    } finally {
      this.running = false;
    }
  }

  private async failStuck(): Promise<void> {
    const { db, store, provisionTimeoutMs } = this.deps;
    const stuck = await db.site.findMany({
      where: {
        status: { in: ['pending', 'provisioning'] },
        statusSince: { lt: new Date(Date.now() - provisionTimeoutMs) },
        tenant: { status: 'active' },
      },
      select: { id: true, tenantId: true },
    });
    const minutes = Math.max(1, Math.round(provisionTimeoutMs / 60_000));
    for (const site of stuck) {
      await store.setSiteStatus({
        tenantId: site.tenantId,
        siteIds: [site.id],
        status: 'failed',
        message: `Setting up this site did not finish within ${minutes} min. Berth keeps trying in the background; use Retry to start over now, or contact your provider if it persists.`,
        onlyFrom: ['pending', 'provisioning'],
      });
    }
  }

  private async targets(): Promise<ProbeTarget[]> {
    const sites = await this.deps.db.site.findMany({
      where: { status: { in: ['live', 'degraded'] }, tenant: { status: 'active' } },
      select: {
        id: true,
        tenantId: true,
        status: true,
        domains: {
          where: { kind: { in: ['primary', 'alias'] }, verifiedAt: { not: null } },
          orderBy: { createdAt: 'asc' },
          select: { hostname: true, tlsMode: true, wwwRedirect: true, certIssuer: true },
        },
      },
    });
    const targets: ProbeTarget[] = [];
    for (const site of sites) {
      // A degraded site with nothing left to probe (its hostnames removed, or none has a certificate yet)
      // is no longer known to be broken for anyone: it goes back to live instead of staying degraded forever.
      if (site.status === 'degraded' && !site.domains.some((d) => schemeOf(d) !== null)) {
        await this.deps.store.setSiteStatus({
          tenantId: site.tenantId,
          siteIds: [site.id],
          status: 'live',
          message: null,
          onlyFrom: ['degraded'],
        });
        continue;
      }
      for (const d of site.domains) {
        const scheme = schemeOf(d);
        if (!scheme) continue;
        const hostname = d.wwwRedirect === 'apex-to-www' ? `www.${d.hostname}` : d.hostname;
        targets.push({ siteId: site.id, tenantId: site.tenantId, status: site.status, hostname, scheme });
        break;
      }
    }
    return targets;
  }

  private async probe(target: ProbeTarget): Promise<void> {
    const { ports, store } = this.deps;
    const once = () =>
      probeSite({
        scheme: target.scheme,
        port: target.scheme === 'https' ? ports.https : ports.http,
        hostname: target.hostname,
        timeoutMs: PROBE_TIMEOUT_MS,
      });
    let result = await once();
    // A live site gets a second chance a moment later (a container being swapped is a blip, not an outage).
    for (let attempt = 1; !result.ok && target.status === 'live' && attempt < FAILS_TO_DEGRADE; attempt++) {
      await new Promise((r) => setTimeout(r, RECHECK_MS));
      if (this.deps.busy(target.tenantId)) return;
      result = await once();
    }
    // A pass that started while we waited may be changing this tenant: its outcome decides, not this probe.
    if (this.deps.busy(target.tenantId)) return;
    if (result.ok) {
      if (target.status === 'degraded')
        await store.setSiteStatus({
          tenantId: target.tenantId,
          siteIds: [target.siteId],
          status: 'live',
          message: null,
          onlyFrom: ['degraded'],
        });
      return;
    }
    this.deps.logger.warn(
      { siteId: target.siteId, tenantId: target.tenantId, reason: result.reason },
      'site probe: not served',
    );
    await store.setSiteStatus({
      tenantId: target.tenantId,
      siteIds: [target.siteId],
      status: 'degraded',
      message: `${result.reason} Berth is repairing it; use Retry if it stays like this.`,
      onlyFrom: ['live', 'degraded'],
    });
    this.deps.repair(target.tenantId);
  }
}

import tls from 'node:tls';
import type { Db } from '@berth/db';
import type { FastifyBaseLogger } from 'fastify';

/** CertificateSeen is what a TLS handshake with the edge showed for one hostname. */
export interface CertificateSeen {
  issuer: string | null;
  notAfter: Date | null;
  error: string | null;
}

/**
 * probeCertificate connects to the edge's HTTPS port as a visitor of `hostname` would (SNI) and reads the
 * certificate it is served, without trusting it: the point is to report what visitors get, including
 * "no certificate yet" and the reason.
 */
export function probeCertificate({
  port,
  hostname,
  timeoutMs = 15_000,
}: {
  port: number;
  hostname: string;
  timeoutMs?: number;
}): Promise<CertificateSeen> {
  return new Promise((resolve) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, servername: hostname, rejectUnauthorized: false, timeout: timeoutMs },
      () => {
        const cert = socket.getPeerCertificate();
        const issuer = cert.issuer
          ? Object.entries(cert.issuer)
              .map(([k, v]) => `${k}=${String(v)}`)
              .join(', ')
          : null;
        const notAfter = cert.valid_to ? new Date(cert.valid_to) : null;
        const names = `${cert.subjectaltname ?? ''}`;
        const error = names.includes(`DNS:${hostname}`)
          ? null
          : `The edge serves a certificate that does not cover ${hostname} (${names || 'no names'}).`;
        socket.end();
        resolve({ issuer, notAfter, error });
      },
    );
    socket.on('timeout', () => {
      socket.destroy();
      resolve({
        issuer: null,
        notAfter: null,
        error: 'The edge did not complete a TLS handshake in time (certificate still being issued?).',
      });
    });
    socket.on('error', (err) =>
      resolve({ issuer: null, notAfter: null, error: `No certificate served yet: ${err.message}` }),
    );
  });
}

/**
 * CertificateProber keeps each domain's certificate status (issuer, expiry, last error) current in the
 * database by probing the edge: soon after routes change, and then periodically.
 */
export class CertificateProber {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly deps: { db: Db; httpsPort: number; logger: FastifyBaseLogger; intervalMs?: number }) {}

  start(): void {
    const tick = async () => {
      await this.probeAll();
      this.timer = setTimeout(() => void tick(), this.deps.intervalMs ?? 10 * 60_000).unref();
    };
    this.timer = setTimeout(() => void tick(), 2_000).unref();
  }

  /** soon asks for a probe shortly (after an edge push), coalescing bursts. */
  soon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.probeAll().finally(() => this.start());
    }, 3_000).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  async probeAll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const domains = await this.deps.db.domain.findMany({
        where: {
          tlsMode: { in: ['auto', 'internal', 'custom'] },
          site: { tenant: { status: { in: ['active', 'suspended'] } } },
        },
        select: { id: true, hostname: true, certIssuer: true, certNotAfter: true, certError: true },
      });
      for (const d of domains) {
        const seen = await probeCertificate({ port: this.deps.httpsPort, hostname: d.hostname });
        await this.deps.db.domain.update({
          where: { id: d.id },
          data: {
            certIssuer: seen.issuer,
            certNotAfter: seen.notAfter,
            certError: seen.error,
            certCheckedAt: new Date(),
          },
        });
      }
    } catch (err) {
      this.deps.logger.warn({ err }, 'certificates: probe pass failed');
    } finally {
      this.running = false;
    }
  }
}

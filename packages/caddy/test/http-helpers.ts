/** Test helpers: a fake tenant webserver and loopback HTTP(S) clients that pin SNI, Host and trust. */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { connect as tlsConnect } from 'node:tls';

/** EchoUpstream is a tenant "webserver" that answers every request with what Caddy forwarded. */
export interface EchoUpstream {
  port: number;
  requests: number;
  close(): Promise<void>;
}

/** startEchoUpstream echoes Host and X-Forwarded-* as JSON (`{"tenant": ..., "host": ..., ...}`). */
export async function startEchoUpstream({
  tenant,
  port = 0,
}: {
  tenant: string;
  port?: number;
}): Promise<EchoUpstream> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        tenant,
        url: req.url,
        host: req.headers.host,
        xForwardedFor: req.headers['x-forwarded-for'],
        xForwardedProto: req.headers['x-forwarded-proto'],
        xForwardedHost: req.headers['x-forwarded-host'],
        xRealIp: req.headers['x-real-ip'],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('upstream has no address');
  return {
    port: address.port,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export interface FetchedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  peerCertificate?: PeerCertificate;
}

/** httpsGet connects to 127.0.0.1:<port> with SNI = Host = `host` and verifies the chain against `ca`. */
export function httpsGet({
  port,
  host,
  path = '/',
  ca,
  headers = {},
  sni = host,
}: {
  port: number;
  host: string;
  path?: string;
  ca: string | string[];
  headers?: Record<string, string>;
  sni?: string;
}): Promise<FetchedResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: sni,
        ca,
        headers: { host, ...headers },
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const peerCertificate = (res.socket as TLSSocket).getPeerCertificate(true);
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
            peerCertificate,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** httpGet sends a plain HTTP request to 127.0.0.1:<port> with the given Host. */
export function httpGet({
  port,
  host,
  path = '/',
  headers = {},
}: {
  port: number;
  host: string;
  path?: string;
  headers?: Record<string, string>;
}): Promise<FetchedResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, headers: { host, ...headers }, agent: false, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * tlsHandshake opens a TLS connection with the given SNI without verifying, and reports the certificate
 * Caddy chose or the handshake error (Caddy aborts the handshake when it has no certificate for the name).
 */
export function tlsHandshake({
  port,
  servername,
}: {
  port: number;
  servername: string;
}): Promise<{ ok: true; cert: PeerCertificate } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, timeout: 10_000 });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(true);
      socket.destroy();
      resolve({ ok: true, cert });
    });
    socket.once('error', (err) => resolve({ ok: false, error: err.message }));
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, error: 'timeout' });
    });
  });
}

/** waitFor retries `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
}

/**
 * Test helper: Debian's Pebble ACME server and pebble-challtestsrv on loopback. challtestsrv answers
 * 127.0.0.1 for every name, so Pebble validates challenges against Caddy's high ports (httpPort/tlsPort).
 * Debian's package ships no TLS certificate for Pebble's own listener, so one is minted here with openssl.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './caddy-process.js';

const run = promisify(execFile);

export interface PebbleProcess {
  /** ACME directory URL. */
  directoryUrl: string;
  /** CA that signed Pebble's own HTTPS listener (give it to Caddy as trusted_roots_pem_files). */
  listenerCaPath: string;
  /** Fetches Pebble's current issuance root (certificates Pebble issues chain to it). */
  fetchIssuanceRoot(): Promise<string>;
  stop(): Promise<void>;
}

function httpsText({ url, ca }: { url: string; ca: string }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** mintTestCertificate writes a self-signed certificate + key for `names` (DNS names) with openssl. */
export async function mintTestCertificate({
  dir,
  name,
  names,
}: {
  dir: string;
  name: string;
  names: string[];
}): Promise<{ certPath: string; keyPath: string; pem: string }> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-subj',
    `/CN=${names[0]}`,
    '-addext',
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
  ]);
  return { certPath, keyPath, pem: await readFile(certPath, 'utf8') };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** startPebble runs challtestsrv + pebble validating against the given Caddy ports. */
export async function startPebble({
  httpPort,
  tlsPort,
}: {
  httpPort: number;
  tlsPort: number;
}): Promise<PebbleProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-pebble-'));
  await chmod(dir, 0o700);
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  const key = join(dir, 'listener.key');
  const csr = join(dir, 'listener.csr');
  const cert = join(dir, 'listener.crt');
  const ext = join(dir, 'listener.ext');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-keyout',
    caKey,
    '-out',
    caCert,
    '-subj',
    '/CN=Berth test Pebble listener CA',
  ]);
  await run('openssl', [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await writeFile(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caCert,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    cert,
    '-extfile',
    ext,
  ]);
  const ca = await readFile(caCert, 'utf8');

  const [acmePort, mgmtPort, dnsPort, challMgmtPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const configPath = join(dir, 'pebble.json');
  await writeFile(
    configPath,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: cert,
        privateKey: key,
        httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const log = createWriteStream(join(dir, 'pebble.log'));
  const chall = spawn(
    '/usr/bin/pebble-challtestsrv',
    [
      '-dns01',
      `127.0.0.1:${dnsPort}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-management',
      `127.0.0.1:${challMgmtPort}`,
      '-defaultIPv6',
      '',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  chall.stdout?.pipe(log);
  chall.stderr?.pipe(log);
  const pebble = spawn('/usr/bin/pebble', ['-config', configPath, '-dnsserver', `127.0.0.1:${dnsPort}`], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pebble.stdout?.pipe(log);
  pebble.stderr?.pipe(log);

  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await httpsText({ url: directoryUrl, ca }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || pebble.exitCode !== null) {
      await Promise.all([stopChild(pebble), stopChild(chall)]);
      throw new Error(`pebble did not start: ${await readFile(join(dir, 'pebble.log'), 'utf8')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    directoryUrl,
    listenerCaPath: caCert,
    fetchIssuanceRoot: async () => (await httpsText({ url: `https://127.0.0.1:${mgmtPort}/roots/0`, ca })).text,
    stop: async () => {
      await Promise.all([stopChild(pebble), stopChild(chall)]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

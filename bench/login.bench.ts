/**
 * Sign-in under attack, against the panel running as its own process on loopback: rounds of 200 concurrent
 * wrong passwords for the admin (from one address, from 50 addresses that failed before, and from 200
 * never-seen addresses), and meanwhile correct logins from fresh addresses and an ordinary API call
 * (GET /api/v1/events?limit=50 with the admin's session). Client addresses are spread over 127.0.0.0/8
 * (Linux answers the whole range on loopback), so the panel sees them as distinct clients.
 * Bounded: BENCH_ROUNDS rounds (default 5) per scenario, a fixed number of requests each, loopback only.
 *   pnpm tsx bench/login.bench.ts                      (runs apps/api/src through tsx: always the current code)
 *   BENCH_PANEL=dist pnpm tsx bench/login.bench.ts     (runs apps/api/dist/main.js: needs pnpm build)
 */
import { spawn } from 'node:child_process';
import { removeDataDir } from '../apps/web/test/panel';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { percentile } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BURST = 200;
const CORRECT_PER_ROUND = 4;
const ROOT = path.resolve(import.meta.dirname, '..');
const ADMIN = { email: 'bench@example.test', password: 'bench-password-123' };

interface Answer {
  status: number;
  ms: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** send makes one request from `from` (a 127.x.y.z source address) on a fresh connection. */
function send(
  port: number,
  method: string,
  url: string,
  opts: { from: string; body?: unknown; headers?: Record<string, string> },
): Promise<Answer> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: url,
        method,
        localAddress: opts.from,
        agent: false,
        timeout: 30_000,
        headers: {
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
            : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, headers: res.headers, body }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

const pct = percentile;

const fmt = (ms: number) => (Number.isNaN(ms) ? '—' : ms.toFixed(1));
let nextFresh = 0;
/** freshAddress is a client address the panel has never seen (127.200.0.0/16 onwards). */
function freshAddress(): string {
  const n = nextFresh++;
  return `127.${200 + Math.floor(n / 65_536)}.${Math.floor(n / 256) % 256}.${(n % 254) + 1}`;
}

interface Row {
  scenario: string;
  wrong: Answer[];
  correct: Answer[];
  other: Answer[];
}

/** round fires BURST wrong logins at once, correct logins from fresh addresses during it, and samples another call until all are answered. */
async function round(port: number, cookie: string, attackerOf: (i: number) => string): Promise<Omit<Row, 'scenario'>> {
  let done = false;
  const other: Answer[] = [];
  const sampler = (async () => {
    while (!done)
      other.push(await send(port, 'GET', '/api/v1/events?limit=50', { from: '127.0.0.1', headers: { cookie } }));
  })();
  const wrong = Array.from({ length: BURST }, (_, i) =>
    send(port, 'POST', '/api/v1/auth/login', {
      from: attackerOf(i),
      body: { email: ADMIN.email, password: `wrong-${i}-${Math.random()}` },
    }),
  );
  const correct = Array.from({ length: CORRECT_PER_ROUND }, async (_, i) => {
    await new Promise((r) => setTimeout(r, i * 15));
    return send(port, 'POST', '/api/v1/auth/login', { from: freshAddress(), body: ADMIN });
  });
  const [wrongAnswers, correctAnswers] = await Promise.all([Promise.all(wrong), Promise.all(correct)]);
  done = true;
  await sampler;
  return { wrong: wrongAnswers, correct: correctAnswers, other };
}

async function scenario(
  port: number,
  cookie: string,
  name: string,
  attackerOf: (round: number, i: number) => string,
): Promise<Row> {
  const row: Row = { scenario: name, wrong: [], correct: [], other: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const result = await round(port, cookie, (i) => attackerOf(r, i));
    row.wrong.push(...result.wrong);
    row.correct.push(...result.correct);
    row.other.push(...result.other);
    // Let the hashing of this round finish before the next one starts.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return row;
}

async function main(): Promise<void> {
  const useDist = process.env.BENCH_PANEL === 'dist';
  if (useDist && !fs.existsSync(path.join(ROOT, 'apps/api/dist/main.js'))) throw new Error('build first: pnpm build');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-login-bench-'));
  const port = await freePort();
  const args = useDist
    ? [path.join(ROOT, 'apps/api/dist/main.js')]
    : ['--import', 'tsx', path.join(ROOT, 'apps/api/src/main.ts')];
  const server = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      BERTH_EDGE: 'off',
      BERTH_DATA_DIR: dataDir,
      BERTH_LISTEN: `127.0.0.1:${port}`,
      BERTH_ADMIN_EMAIL: ADMIN.email,
      BERTH_ADMIN_PASSWORD: ADMIN.password,
      BERTH_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; i < 200; i++) {
      try {
        if ((await send(port, 'GET', '/api/v1/health', { from: '127.0.0.1' })).status === 200) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const signIn = await send(port, 'POST', '/api/v1/auth/login', { from: '127.0.0.1', body: ADMIN });
    if (signIn.status !== 200) throw new Error(`admin login: ${signIn.status} ${signIn.body}`);
    const cookie = String(signIn.headers['set-cookie']?.[0] ?? '').split(';')[0]!;

    // Quiet baseline: the same calls with nothing else going on.
    const baseCorrect: Answer[] = [];
    for (let i = 0; i < 20; i++)
      baseCorrect.push(await send(port, 'POST', '/api/v1/auth/login', { from: freshAddress(), body: ADMIN }));
    const baseOther: Answer[] = [];
    for (let i = 0; i < 200; i++)
      baseOther.push(await send(port, 'GET', '/api/v1/events?limit=50', { from: '127.0.0.1', headers: { cookie } }));
    // Timing class: a wrong password for a known and for an unknown email, each from a fresh address.
    const known: Answer[] = [];
    const unknown: Answer[] = [];
    for (let i = 0; i < 20; i++) {
      known.push(
        await send(port, 'POST', '/api/v1/auth/login', {
          from: freshAddress(),
          body: { email: ADMIN.email, password: `wrong-${i}-password` },
        }),
      );
      unknown.push(
        await send(port, 'POST', '/api/v1/auth/login', {
          from: freshAddress(),
          body: { email: `nobody-${i}@example.test`, password: `wrong-${i}-password` },
        }),
      );
    }

    // The 50 "known bad" addresses failed once before the flood starts.
    const knownBad = Array.from({ length: 50 }, (_, i) => `127.1.0.${i + 1}`);
    for (const from of knownBad)
      await send(port, 'POST', '/api/v1/auth/login', { from, body: { email: ADMIN.email, password: 'warm-up-wrong' } });
    const rows = [
      await scenario(port, cookie, `${BURST} wrong, one address`, () => '127.0.0.2'),
      await scenario(
        port,
        cookie,
        `${BURST} wrong, 50 addresses that failed before`,
        (_r, i) => knownBad[i % knownBad.length]!,
      ),
      await scenario(port, cookie, `${BURST} wrong, ${BURST} never-seen addresses`, () => freshAddress()),
    ];

    const count = (answers: Answer[], status: number) => answers.filter((a) => a.status === status).length;
    console.log(
      `\nBerth sign-in under a password burst: ${os.cpus().length} cores, node ${process.version}, ${useDist ? 'apps/api/dist' : 'apps/api/src via tsx'}, ${ROUNDS} rounds per scenario\n`,
    );
    console.log(
      '| scenario | wrong: 401 / 429 | wrong p50 / p99 ms | 429 p99 ms | correct login: ok / 429 | correct p50 / p99 ms | GET /events n | GET /events p50 / p99 ms |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    console.log(
      `| quiet (no burst) | — | — | — | ${count(baseCorrect, 200)} / ${count(baseCorrect, 429)} | ${fmt(
        pct(
          baseCorrect.map((a) => a.ms),
          50,
        ),
      )} / ${fmt(
        pct(
          baseCorrect.map((a) => a.ms),
          99,
        ),
      )} | ${baseOther.length} | ${fmt(
        pct(
          baseOther.map((a) => a.ms),
          50,
        ),
      )} / ${fmt(
        pct(
          baseOther.map((a) => a.ms),
          99,
        ),
      )} |`,
    );
    for (const row of rows) {
      const limited = row.wrong.filter((a) => a.status === 429).map((a) => a.ms);
      console.log(
        `| ${row.scenario} | ${count(row.wrong, 401)} / ${count(row.wrong, 429)} | ${fmt(
          pct(
            row.wrong.map((a) => a.ms),
            50,
          ),
        )} / ${fmt(
          pct(
            row.wrong.map((a) => a.ms),
            99,
          ),
        )} | ${fmt(pct(limited, 99))} | ${count(row.correct, 200)} / ${count(row.correct, 429)} | ${fmt(
          pct(
            row.correct.map((a) => a.ms),
            50,
          ),
        )} / ${fmt(
          pct(
            row.correct.map((a) => a.ms),
            99,
          ),
        )} | ${row.other.length} | ${fmt(
          pct(
            row.other.map((a) => a.ms),
            50,
          ),
        )} / ${fmt(
          pct(
            row.other.map((a) => a.ms),
            99,
          ),
        )} |`,
      );
    }
    console.log('\n| wrong password, one attempt per fresh address | answers | p50 ms | p99 ms |');
    console.log('|---|---|---:|---:|');
    console.log(
      `| known email | ${[...new Set(known.map((a) => a.status))].join(', ')} | ${fmt(
        pct(
          known.map((a) => a.ms),
          50,
        ),
      )} | ${fmt(
        pct(
          known.map((a) => a.ms),
          99,
        ),
      )} |`,
    );
    console.log(
      `| unknown email | ${[...new Set(unknown.map((a) => a.status))].join(', ')} | ${fmt(
        pct(
          unknown.map((a) => a.ms),
          50,
        ),
      )} | ${fmt(
        pct(
          unknown.map((a) => a.ms),
          99,
        ),
      )} |`,
    );
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    removeDataDir(dataDir);
  }
}

await main();

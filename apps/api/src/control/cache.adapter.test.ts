import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRuntimeError, LABELS, type DockerDriver } from '@berth/runtime';
import { CachePortError } from '../services.js';
import { createCacheAdapter } from './cache.adapter.js';

// The cache adapter runs the real purge code of @berth/runtime. Only its boundaries are fake: the Docker
// engine (what `docker ps` shows for the tenant) and the tenant's Varnish (a real HTTP server on loopback,
// reached through the port Docker says it publishes).

const INSTANCE = 'test-instance';
const TENANT = 'acme';

interface VarnishRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/**
 * A stand-in for the tenant's Varnish: answers every request with `status` and remembers what it got. A raw
 * TCP server, because Node's HTTP parser refuses Varnish's `BAN` method.
 */
class FakeVarnish {
  readonly requests: VarnishRequest[] = [];
  status = 200;
  readonly server = net.createServer((socket) => {
    let head = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      head += chunk;
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [requestLine = '', ...lines] = head.slice(0, end).split('\r\n');
      const [method = '', url = ''] = requestLine.split(' ');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      this.requests.push({ method, url, headers });
      const body = this.status === 200 ? 'ok' : 'refused by VCL';
      socket.end(`HTTP/1.1 ${this.status} X\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    });
  });

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

type Varnish = { state: 'running' | 'exited'; hostPort: number } | 'absent';

/** fakeEngine is the part of Docker's API that observe() reads, showing one tenant with (or without) a Varnish. */
function fakeEngine(varnish: () => Varnish, fail?: () => Error | undefined): DockerDriver['docker'] {
  const guard = async <T>(value: T): Promise<T> => {
    const err = fail?.();
    if (err) throw err;
    return value;
  };
  const labels = { [LABELS.managed]: INSTANCE, [LABELS.tenant]: TENANT };
  const matches = (want: string[] | undefined, have: Record<string, string>) =>
    (want ?? []).every((kv) => have[kv.split('=')[0]!] === kv.split('=').slice(1).join('='));
  return {
    listContainers: (opts: { filters: { label: string[] } }) => {
      const v = varnish();
      const containers =
        v === 'absent'
          ? []
          : [
              {
                Id: 'c-varnish',
                Names: [`/berth-${TENANT}-varnish`],
                Image: 'berth/varnish',
                State: v.state,
                Labels: { ...labels, [LABELS.role]: 'varnish', [LABELS.component]: 'varnish' },
                Ports:
                  v.state === 'running'
                    ? [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: v.hostPort, Type: 'tcp' }]
                    : [],
              },
            ];
      return guard(containers.filter((c) => matches(opts.filters.label, c.Labels)));
    },
    listNetworks: () => guard([]),
    listVolumes: () => guard({ Volumes: [] }),
  } as unknown as DockerDriver['docker'];
}

describe('cache adapter (CachePort over the runtime)', () => {
  const varnish = new FakeVarnish();
  let dataDir: string;
  let shown: Varnish = 'absent';
  let engineError: Error | undefined;
  let driver: DockerDriver;

  beforeAll(async () => {
    await varnish.listen();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cache-adapter-'));
    driver = {
      docker: fakeEngine(
        () => shown,
        () => engineError,
      ),
      instance: INSTANCE,
      profile: 'local',
      dataDir,
    } as DockerDriver;
  });

  afterEach(() => {
    varnish.requests.length = 0;
    varnish.status = 200;
    shown = 'absent';
    engineError = undefined;
  });

  afterAll(async () => {
    await varnish.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('purges one URL at the tenant’s running Varnish, with its purge token', async () => {
    shown = { state: 'running', hostPort: varnish.port };
    await createCacheAdapter(driver).purgeUrl(TENANT, 'https://shop.example.com/products/1?page=2');
    expect(varnish.requests).toHaveLength(1);
    const [req] = varnish.requests;
    expect(req).toMatchObject({ method: 'PURGE', url: '/products/1?page=2', headers: { host: 'shop.example.com' } });
    expect(req!.headers['x-berth-purge-token']).toMatch(/^[0-9a-f]{48}$/);
  });

  it('bans everything of one host', async () => {
    shown = { state: 'running', hostPort: varnish.port };
    await createCacheAdapter(driver).banHost(TENANT, 'shop.example.com');
    expect(varnish.requests).toMatchObject([{ method: 'BAN', headers: { 'x-berth-ban-host': 'shop.example.com' } }]);
  });

  // What a user asking for a purge is told, by situation: `not-running` (the tenant's cache is off, stopped
  // or not answering: wait or enable it) or `unavailable` (the server side is broken: try later).
  const closedPort = async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    return port;
  };
  const cases: {
    name: string;
    arrange: () => Promise<void>;
    reason: 'not-running' | 'unavailable';
    message: RegExp;
  }[] = [
    {
      name: 'the tenant has no Varnish',
      arrange: async () => void (shown = 'absent'),
      reason: 'not-running',
      message: /no running Varnish/,
    },
    {
      name: 'the tenant’s Varnish container is stopped',
      arrange: async () => void (shown = { state: 'exited', hostPort: varnish.port }),
      reason: 'not-running',
      message: /no running Varnish/,
    },
    {
      name: 'Varnish runs but nothing answers on its port',
      arrange: async () => void (shown = { state: 'running', hostPort: await closedPort() }),
      reason: 'not-running',
      message: /did not answer/,
    },
    {
      name: 'Varnish refuses the purge',
      arrange: async () => {
        shown = { state: 'running', hostPort: varnish.port };
        varnish.status = 403;
      },
      reason: 'unavailable',
      message: /refused .*HTTP 403/,
    },
    {
      name: 'the Docker engine does not answer',
      arrange: async () => {
        shown = { state: 'running', hostPort: varnish.port };
        engineError = Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' });
      },
      reason: 'unavailable',
      message: /Docker engine is not reachable/,
    },
    {
      name: 'the Docker engine answers with an error',
      arrange: async () => {
        shown = { state: 'running', hostPort: varnish.port };
        engineError = Object.assign(new Error('(HTTP code 500) server error - containerd is not running'), {
          statusCode: 500,
        });
      },
      reason: 'unavailable',
      message: /Docker engine error.*containerd is not running/,
    },
  ];

  for (const op of ['purgeUrl', 'banHost'] as const) {
    for (const c of cases) {
      it(`${op}: ${c.name} → CachePortError(${c.reason})`, async () => {
        await c.arrange();
        const cache = createCacheAdapter(driver);
        const err: unknown = await (
          op === 'purgeUrl'
            ? cache.purgeUrl(TENANT, 'https://shop.example.com/')
            : cache.banHost(TENANT, 'shop.example.com')
        ).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(CachePortError);
        expect((err as CachePortError).reason).toBe(c.reason);
        expect((err as CachePortError).message).toMatch(c.message);
        // The runtime's own error stays attached for the logs.
        expect(isRuntimeError((err as CachePortError).cause)).toBe(true);
      });
    }
  }

  it('does not disguise a bad request as a cache outage', async () => {
    shown = { state: 'running', hostPort: varnish.port };
    const err: unknown = await createCacheAdapter(driver)
      .purgeUrl(TENANT, 'not a url')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).not.toBeInstanceOf(CachePortError);
    expect(isRuntimeError(err, 'INVALID_INPUT')).toBe(true);
    expect(varnish.requests).toEqual([]);
  });
});

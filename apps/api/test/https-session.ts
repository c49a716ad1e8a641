import https from 'node:https';

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Where a redirect points, resolved against the request (null when it is not a redirect). */
  location: string | null;
}

/**
 * HttpsSession is a browser-like client for tests that go through the edge: it connects to the edge's HTTPS
 * port on 127.0.0.1 with the host's name as SNI and Host, verifies the certificate against the given CA, keeps
 * cookies per host (name=value; attributes ignored but Secure noted), and follows redirects when asked.
 */
export class HttpsSession {
  readonly cookies = new Map<string, Map<string, string>>();
  /** Every Set-Cookie header received, as sent (tests check attributes such as Secure). */
  readonly setCookies: string[] = [];

  constructor(
    private readonly port: number,
    private readonly ca: string,
  ) {}

  cookie(host: string, name: string, value: string): void {
    if (!this.cookies.has(host)) this.cookies.set(host, new Map());
    this.cookies.get(host)!.set(name, value);
  }

  async request(
    method: string,
    url: string,
    opts: { body?: string; headers?: Record<string, string>; follow?: boolean; timeoutMs?: number } = {},
  ): Promise<HttpsResponse & { url: string }> {
    let current = url;
    let currentMethod = method;
    let body = opts.body;
    for (let hops = 0; hops < 10; hops++) {
      const res = await this.once(currentMethod, current, body, opts.headers ?? {}, opts.timeoutMs ?? 30_000);
      if (!opts.follow || !res.location || ![301, 302, 303, 307, 308].includes(res.status))
        return { ...res, url: current };
      current = res.location;
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && currentMethod === 'POST')) {
        currentMethod = 'GET';
        body = undefined;
      }
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** form posts application/x-www-form-urlencoded fields. */
  form(url: string, fields: Record<string, string>, opts: { follow?: boolean; headers?: Record<string, string> } = {}) {
    return this.request('POST', url, {
      ...opts,
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.headers ?? {}) },
    });
  }

  private once(
    method: string,
    url: string,
    body: string | undefined,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<HttpsResponse> {
    const target = new URL(url);
    if (target.protocol !== 'https:') throw new Error(`only https URLs go through the edge: ${url}`);
    const host = target.hostname;
    const jar = this.cookies.get(host);
    const cookie = jar && jar.size > 0 ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: this.port,
          servername: host,
          method,
          path: `${target.pathname}${target.search}`,
          headers: {
            host: target.host,
            'user-agent': 'berth-test',
            ...(cookie ? { cookie } : {}),
            ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
            ...headers,
          },
          ca: this.ca,
          agent: false,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const set = res.headers['set-cookie'] ?? [];
            for (const line of set) {
              this.setCookies.push(line);
              const [pair] = line.split(';');
              const at = pair!.indexOf('=');
              const name = pair!.slice(0, at).trim();
              const value = pair!.slice(at + 1).trim();
              const expired =
                /expires=thu, 01[- ]jan[- ]1970/i.test(line) || /max-age=0/i.test(line) || value === 'deleted';
              if (!this.cookies.has(host)) this.cookies.set(host, new Map());
              if (expired) this.cookies.get(host)!.delete(name);
              else this.cookies.get(host)!.set(name, value);
            }
            const location = res.headers.location ? new URL(res.headers.location, url).toString() : null;
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              location,
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}

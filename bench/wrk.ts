/**
 * Bench helper: wrk with a bounded load. Each of wrk's two threads stops after its share of `requests`
 * responses (-d is only the cap). wrk's own req/s divides by the full -d duration, so each thread records
 * wall-clock start/stop and done() reports the real rate. Non-2xx answers make it throw: a rate of errors is
 * not a figure.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function wrk({
  url,
  host,
  connections = 16,
  requests = 20_000,
  capSeconds = 8,
}: {
  url: string;
  host: string;
  connections?: number;
  requests?: number;
  capSeconds?: number;
}): Promise<number> {
  const script = join(tmpdir(), `berth-wrk-${process.pid}.lua`);
  await writeFile(
    script,
    `local threads = {}
function setup(thread) table.insert(threads, thread) end
local function now() local f = io.popen("date +%s.%N"); local s = f:read("*a"); f:close(); return tonumber(s) end
function init(args) n = 0; t0 = now(); t1 = 0 end
local limit = ${Math.ceil(requests / 2)}
function response(status, headers, body)
  n = n + 1
  if n == limit then t1 = now(); wrk.thread:stop() end
end
function done(summary, latency, requests)
  local total, first, last = 0, math.huge, 0
  for _, t in ipairs(threads) do
    total = total + t:get("n")
    first = math.min(first, t:get("t0"))
    local stop = t:get("t1")
    if stop == 0 then stop = first + ${capSeconds} end
    last = math.max(last, stop)
  end
  io.write(string.format("BERTH_RPS %.1f %d\\n", total / (last - first), total))
end
`,
  );
  try {
    const { stdout } = await run(
      '/usr/bin/wrk',
      ['-t2', `-c${connections}`, `-d${capSeconds}s`, '-s', script, '-H', `Host: ${host}`, url],
      { timeout: (capSeconds + 10) * 1000 },
    );
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1];
    if (non2xx) throw new Error(`wrk saw ${non2xx} non-2xx responses for ${host} at ${url}`);
    const rps = /BERTH_RPS ([\d.]+)/.exec(stdout)?.[1];
    if (!rps) throw new Error(`wrk printed no rate for ${host}: ${stdout}`);
    return Number(rps);
  } finally {
    await rm(script, { force: true });
  }
}

import dgram from 'node:dgram';

/**
 * TestDnsServer is a minimal authoritative DNS responder on 127.0.0.1 for tests: it answers TXT and A
 * questions from a table the test fills, NXDOMAIN for anything else. Loopback only.
 */
export interface TestDnsServer {
  port: number;
  txt: Map<string, string[]>;
  a: Map<string, string[]>;
  close(): Promise<void>;
}

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  for (let len = msg[at]!; len !== 0; len = msg[at]!) {
    labels.push(msg.subarray(at + 1, at + 1 + len).toString('ascii'));
    at += len + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: at + 1 };
}

function answer(type: number, data: Buffer): Buffer {
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // the question's name
  rr.writeUInt16BE(type, 2);
  rr.writeUInt16BE(1, 4); // IN
  rr.writeUInt32BE(30, 6); // TTL
  rr.writeUInt16BE(data.length, 10);
  return Buffer.concat([rr, data]);
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const txt = new Map<string, string[]>();
  const a = new Map<string, string[]>();
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const { name, end } = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    const question = msg.subarray(12, end + 4);
    const answers: Buffer[] = [];
    if (qtype === 16) {
      for (const value of txt.get(name) ?? []) {
        const text = Buffer.from(value);
        answers.push(answer(16, Buffer.concat([Buffer.from([text.length]), text])));
      }
    } else if (qtype === 1) {
      for (const ip of a.get(name) ?? []) answers.push(answer(1, Buffer.from(ip.split('.').map(Number))));
    }
    const known = txt.has(name) || a.has(name);
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0);
    header.writeUInt16BE(0x8400 | (msg.readUInt16BE(2) & 0x0100) | (known ? 0 : 3), 2); // response, authoritative, RD copied, NXDOMAIN when unknown
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, txt, a, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

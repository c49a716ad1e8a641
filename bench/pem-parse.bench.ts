/**
 * Splitting an uploaded certificate chain into PEM blocks, on hostile 64 KiB inputs (the upload limit):
 * the lazy regex the certificate check used before (it rescans to the end from every opening line, so
 * quadratic) against pemCertificateBlocks (one indexOf pass). Milliseconds per call, median of 7 runs.
 * Pure CPU, no panel needed:  npx tsx bench/pem-parse.bench.ts
 */
import { pemCertificateBlocks } from '../apps/api/src/domains/certificate-check.js';

const OLD_PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const BEGIN = '-----BEGIN CERTIFICATE-----';
const fill = (unit: string) => unit.repeat(Math.floor(65_536 / unit.length));

const INPUTS: [string, string][] = [
  ['openings only', fill(BEGIN)],
  ['openings, one per line', fill(`${BEGIN}\n`)],
  ['one opening, 64 KiB body', `${BEGIN}\n${'A'.repeat(65_000)}`],
  ['near-miss openings', fill('-----BEGIN CERTIFICATE----')],
  ['real chain (3 certs), for scale', `${BEGIN}\n${'A'.repeat(1_200)}\n-----END CERTIFICATE-----\n`.repeat(3)],
];

function medianMs(fn: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[3]!;
}

const rows = INPUTS.map(([name, text]) => {
  const regex = medianMs(() => text.match(OLD_PEM_CERT));
  const scan = medianMs(() => pemCertificateBlocks(text));
  if ((text.match(OLD_PEM_CERT) ?? []).length !== pemCertificateBlocks(text).length)
    throw new Error(`${name}: the two disagree`);
  return { input: name, bytes: text.length, 'regex ms': regex.toFixed(2), 'indexOf scan ms': scan.toFixed(3) };
});
console.log('PEM block split, hostile 64 KiB inputs (median of 7)');
console.table(rows);

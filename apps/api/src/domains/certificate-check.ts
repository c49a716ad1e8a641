import crypto from 'node:crypto';
import { AppError } from '../errors.js';

export interface CheckedCertificate {
  chainPem: string;
  keyPem: string;
  issuer: string;
  notAfter: Date;
}

const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';
const PEM_END = '-----END CERTIFICATE-----';

/**
 * pemCertificateBlocks returns every `-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----` block of
 * `text` in order (text around and between blocks is ignored; a block has at least one character between
 * its lines, and an opening line inside a block is part of it). One left-to-right pass of indexOf, each
 * search starting where the last one ended: linear in the input whatever it holds, where a lazy regex
 * rescans to the end from every opening line of a hostile upload (quadratic: ~0.2 s per 64 KiB).
 */
export function pemCertificateBlocks(text: string): string[] {
  const blocks: string[] = [];
  for (let from = 0; ;) {
    const begin = text.indexOf(PEM_BEGIN, from);
    if (begin < 0) return blocks;
    const end = text.indexOf(PEM_END, begin + PEM_BEGIN.length + 1);
    // No end after this opening means none after any later opening either.
    if (end < 0) return blocks;
    from = end + PEM_END.length;
    blocks.push(text.slice(begin, from));
  }
}

function invalid(field: 'certificatePem' | 'privateKeyPem', message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { details: { issues: [{ in: 'body', path: [field], message }] } });
}

/**
 * checkCertificate accepts an uploaded certificate only if it can serve `hostname` now: the PEM parses,
 * the private key matches the leaf, the leaf covers the hostname and is inside its validity window.
 * It returns the normalized chain (leaf first) and key, re-encoded, so nothing but PEM reaches Caddy.
 */
export function checkCertificate({
  hostname,
  certificatePem,
  privateKeyPem,
  now = new Date(),
}: {
  hostname: string;
  certificatePem: string;
  privateKeyPem: string;
  now?: Date;
}): CheckedCertificate {
  const blocks = pemCertificateBlocks(certificatePem);
  if (blocks.length === 0)
    throw invalid(
      'certificatePem',
      'Paste the certificate in PEM form (-----BEGIN CERTIFICATE----- …), leaf first, then intermediates.',
    );
  let chain: crypto.X509Certificate[];
  try {
    chain = blocks.map((block) => new crypto.X509Certificate(block));
  } catch {
    throw invalid('certificatePem', 'A certificate in the chain could not be parsed.');
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(privateKeyPem);
  } catch {
    throw invalid(
      'privateKeyPem',
      'The private key could not be parsed; paste an unencrypted PEM key (-----BEGIN PRIVATE KEY----- …).',
    );
  }
  const leaf = chain[0]!;
  if (!leaf.checkPrivateKey(key)) throw invalid('privateKeyPem', 'The private key does not belong to the certificate.');
  if (!leaf.checkHost(hostname))
    throw invalid(
      'certificatePem',
      `The certificate does not cover ${hostname} (subject: ${leaf.subject.replace(/\n/g, ', ')}; names: ${leaf.subjectAltName ?? 'none'}).`,
    );
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (notAfter <= now) throw invalid('certificatePem', `The certificate expired on ${notAfter.toISOString()}.`);
  if (notBefore > now)
    throw invalid('certificatePem', `The certificate is not valid before ${notBefore.toISOString()}.`);
  return {
    chainPem: chain.map((c) => c.toString()).join(''),
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    issuer: leaf.issuer.replace(/\n/g, ', '),
    notAfter,
  };
}

import crypto from 'node:crypto';
import { AppError } from '../errors.js';

export interface CheckedCertificate {
  chainPem: string;
  keyPem: string;
  issuer: string;
  notAfter: Date;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function invalid(field: 'certificatePem' | 'privateKeyPem', message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { details: { issues: [{ in: 'body', path: [field], message }] } });
}

/**
 * checkCertificate accepts an uploaded certificate only if it can serve `hostname` now: the PEM parses,
 * the private key matches the leaf, the leaf covers the hostname and is inside its validity window.
 * It returns the normalized chain (leaf first) and key, re-encoded, so nothing but PEM reaches Caddy.
 */
export function checkCertificate({ hostname, certificatePem, privateKeyPem, now = new Date() }: { hostname: string; certificatePem: string; privateKeyPem: string; now?: Date }): CheckedCertificate {
  const blocks = certificatePem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw invalid('certificatePem', 'Paste the certificate in PEM form (-----BEGIN CERTIFICATE----- …), leaf first, then intermediates.');
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
    throw invalid('privateKeyPem', 'The private key could not be parsed; paste an unencrypted PEM key (-----BEGIN PRIVATE KEY----- …).');
  }
  const leaf = chain[0]!;
  if (!leaf.checkPrivateKey(key)) throw invalid('privateKeyPem', 'The private key does not belong to the certificate.');
  if (!leaf.checkHost(hostname)) throw invalid('certificatePem', `The certificate does not cover ${hostname} (subject: ${leaf.subject.replace(/\n/g, ', ')}; names: ${leaf.subjectAltName ?? 'none'}).`);
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (notAfter <= now) throw invalid('certificatePem', `The certificate expired on ${notAfter.toISOString()}.`);
  if (notBefore > now) throw invalid('certificatePem', `The certificate is not valid before ${notBefore.toISOString()}.`);
  return {
    chainPem: chain.map((c) => c.toString()).join(''),
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    issuer: leaf.issuer.replace(/\n/g, ', '),
    notAfter,
  };
}

import crypto from 'node:crypto';

/**
 * RFC 6238 time-based one-time passwords as every authenticator app computes them by default: HMAC-SHA-1,
 * 6 digits, 30-second steps counted from the Unix epoch. Pure functions over node:crypto.
 */

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** TOTP_WINDOW is how many steps before and after "now" a code is still accepted (clock drift, typing time). */
export const TOTP_WINDOW = 1;
const SECRET_BYTES = 20;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** base32Encode is RFC 4648 base32 without padding: the form authenticator apps take a secret in. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** base32Decode reads RFC 4648 base32 (case, spaces and padding ignored); it throws on any other character. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error('Not a base32 string.');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** newTotpSecret makes a 160-bit secret (the HMAC-SHA-1 key length RFC 4226 recommends), base32-encoded. */
export function newTotpSecret(): string {
  return base32Encode(crypto.randomBytes(SECRET_BYTES));
}

/** hotp is RFC 4226: HMAC-SHA-1 of the 8-byte counter, dynamic truncation, the last `digits` decimal digits. */
export function hotp(key: Buffer, counter: number, digits = TOTP_DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** totpStep is the RFC 6238 counter for a moment: whole 30-second steps since the epoch. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS);
}

/** totpCode is the code an authenticator app shows at `nowMs` for a base32 secret. */
export function totpCode(secret: string, nowMs: number): string {
  return hotp(base32Decode(secret), totpStep(nowMs));
}

/**
 * matchTotp returns the step whose code equals `code` within ±TOTP_WINDOW of now, or null. The caller
 * refuses a step it has already accepted for this user (RFC 6238 §5.2: a code is good once); comparing
 * every candidate in constant time keeps the answer's timing independent of which one matched.
 */
export function matchTotp(secret: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const key = base32Decode(secret);
  const now = totpStep(nowMs);
  const given = Buffer.from(code);
  let matched: number | null = null;
  for (let step = now - TOTP_WINDOW; step <= now + TOTP_WINDOW; step++) {
    if (crypto.timingSafeEqual(Buffer.from(hotp(key, step)), given)) matched ??= step;
  }
  return matched;
}

/**
 * otpauthUri is the Key Uri Format authenticator apps scan from a QR code:
 * `otpauth://totp/Berth:admin%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Berth&algorithm=SHA1&digits=6&period=30`.
 */
export function otpauthUri(opts: { issuer: string; account: string; secret: string }): string {
  const label = `${encodeURIComponent(opts.issuer)}:${encodeURIComponent(opts.account)}`;
  const query = new URLSearchParams({
    secret: opts.secret,
    issuer: opts.issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${query.toString()}`;
}

// Letters and digits that cannot be mistaken for one another when read off paper (no 0/o, 1/l/i).
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

/** newRecoveryCodes makes ten one-time codes like `k7m2-qx9f-dz4a-8wpe` (16 characters, about 79 bits each). */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let code = '';
    for (let i = 0; i < 16; i++) code += RECOVERY_ALPHABET[crypto.randomInt(RECOVERY_ALPHABET.length)];
    return code.match(/.{4}/g)!.join('-');
  });
}

/**
 * hashRecoveryCode is what is stored for a recovery code: the SHA-256 of its normalized form (lowercase,
 * no separators). 79 random bits need no slow hash: a stolen database does not make them guessable.
 */
export function hashRecoveryCode(code: string): string {
  return crypto.createHash('sha256').update(code.replace(/[\s-]/g, '').toLowerCase()).digest('hex');
}

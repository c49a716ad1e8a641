import { createHash, randomInt, timingSafeEqual, type Hash } from 'node:crypto';

// glibc's SHA-512 crypt (`$6$`), after Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512" (2007, public
// domain): the only password hash OpenSSH's pam_unix on Debian verifies without extra modules, so the SFTP server
// can check the passwords the panel stores without the panel ever writing a password anywhere.

/** ITOA64 is crypt's base-64 alphabet (not RFC 4648's): also the salt characters the panel generates. */
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ROUNDS_DEFAULT = 5000;
const ROUNDS_MIN = 1000;
const ROUNDS_MAX = 999_999_999;
const SALT_MAX = 16;

/** The byte order of the final 64-byte digest in the encoding: 21 groups of three bytes, then the last byte. */
const ORDER: readonly (readonly [number, number, number])[] = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

/** SETTING_RE reads a `$6$[rounds=<n>$]<salt>` prefix (the salt ends at the next `$` or after 16 characters). */
const SETTING_RE = /^\$6\$(?:rounds=(\d{1,10})\$)?([^$]*)/;

/** HASH_RE is a whole hash: `$6$`, optional `rounds=<n>$`, salt, `$`, 86 characters of ITOA64. */
const HASH_RE = /^\$6\$(?:rounds=(\d{1,10})\$)?([^$:\n]{0,16})\$([./0-9A-Za-z]{86})$/;

function sha512(...parts: Buffer[]): Buffer {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** repeatTo is `digest` repeated to exactly `length` bytes (the spec's P and S sequences). */
function repeatTo(digest: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += 64) digest.copy(out, i, 0, Math.min(64, length - i));
  return out;
}

function encode(b2: number, b1: number, b0: number, chars: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < chars; i++) {
    out += ITOA64[w & 0x3f];
    w >>= 6;
  }
  return out;
}

/** digest is the spec's algorithm (steps 1–21) for the password and salt bytes and a round count. */
function digest(password: Buffer, salt: Buffer, rounds: number): Buffer {
  const b = sha512(password, salt, password);
  const a: Hash = createHash('sha512').update(password).update(salt);
  let n = password.length;
  for (; n > 64; n -= 64) a.update(b);
  a.update(b.subarray(0, n));
  for (let bits = password.length; bits > 0; bits >>= 1) a.update(bits & 1 ? b : password);
  let c = a.digest();

  const dp = createHash('sha512');
  for (let i = 0; i < password.length; i++) dp.update(password);
  const p = repeatTo(dp.digest(), password.length);
  const ds = createHash('sha512');
  for (let i = 0; i < 16 + c[0]!; i++) ds.update(salt);
  const s = repeatTo(ds.digest(), salt.length);

  for (let i = 0; i < rounds; i++) {
    const h = createHash('sha512');
    h.update(i & 1 ? p : c);
    if (i % 3) h.update(s);
    if (i % 7) h.update(p);
    h.update(i & 1 ? c : p);
    c = h.digest();
  }
  return c;
}

function format(salt: string, rounds: number, explicitRounds: boolean, d: Buffer): string {
  let out = '';
  for (const [x, y, z] of ORDER) out += encode(d[x]!, d[y]!, d[z]!, 4);
  out += encode(0, 0, d[63]!, 2);
  return `$6$${explicitRounds ? `rounds=${rounds}$` : ''}${salt}$${out}`;
}

/** randomSalt is 16 characters of ITOA64 from the system's CSPRNG. */
function randomSalt(): string {
  let s = '';
  for (let i = 0; i < SALT_MAX; i++) s += ITOA64[randomInt(ITOA64.length)];
  return s;
}

/**
 * sha512Crypt hashes `password` (its UTF-8 bytes) the way glibc's crypt(3) does for `$6$`: the result is
 * `$6$<salt>$<86 characters>`, or `$6$rounds=<n>$<salt>$…` when a round count was asked for. `salt` is a plain salt
 * (at most 16 characters are used, without `$`) or a setting `$6$[rounds=<n>$]<salt>[$…]` (an existing hash works:
 * that is how verifySha512Crypt recomputes); without it, a random 16-character salt of `./0-9A-Za-z` and 5000
 * rounds. Round counts are clamped to 1000–999999999 as glibc does.
 */
export function sha512Crypt(password: string, salt?: string): string {
  let rawSalt: string;
  let rounds = ROUNDS_DEFAULT;
  let explicitRounds = false;
  if (salt === undefined) {
    rawSalt = randomSalt();
  } else if (salt.startsWith('$6$')) {
    const m = SETTING_RE.exec(salt);
    if (!m) throw new Error('sha512Crypt: unreadable $6$ setting');
    if (m[1] !== undefined) {
      explicitRounds = true;
      rounds = Math.min(ROUNDS_MAX, Math.max(ROUNDS_MIN, Number(m[1])));
    }
    rawSalt = m[2]!;
  } else {
    rawSalt = salt.split('$')[0]!;
  }
  rawSalt = rawSalt.slice(0, SALT_MAX);
  if (/[:\n\0]/.test(rawSalt)) throw new Error('sha512Crypt: the salt must not contain `:`, a newline or NUL');
  const d = digest(Buffer.from(password, 'utf8'), Buffer.from(rawSalt, 'utf8'), rounds);
  return format(rawSalt, rounds, explicitRounds, d);
}

/**
 * verifySha512Crypt says whether `password` matches a `$6$` hash (compared in constant time); a hash of any other
 * shape, or with a round count outside 1000–999999999, never matches.
 */
export function verifySha512Crypt(password: string, hash: string): boolean {
  const m = HASH_RE.exec(hash);
  if (!m) return false;
  if (m[1] !== undefined) {
    const rounds = Number(m[1]);
    if (rounds < ROUNDS_MIN || rounds > ROUNDS_MAX) return false;
  }
  const again = Buffer.from(sha512Crypt(password, hash), 'utf8');
  const given = Buffer.from(hash, 'utf8');
  return again.length === given.length && timingSafeEqual(again, given);
}

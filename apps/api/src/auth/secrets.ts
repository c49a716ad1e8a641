import crypto from 'node:crypto';

/** randomSecret makes a URL-safe secret with 256 bits of entropy. */
export function randomSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** sha256 is how session cookies and API token secrets are stored: high-entropy secrets need no slow hash. */
export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

/** csrfTokenFor derives the session's CSRF token from the cookie value; nothing extra is stored. */
export function csrfTokenFor(sessionSecret: string): string {
  return crypto.createHash('sha256').update(`csrf:${sessionSecret}`).digest('base64url');
}

/** safeEqual compares two strings in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

/** API tokens look like `berth_<id>_<secret>`: the id finds the row, the secret is checked against its hash. */
export function formatApiToken(id: string, secret: string): string {
  return `berth_${id}_${secret}`;
}

export function parseApiToken(value: string): { id: string; secret: string } | null {
  const match = /^berth_([a-z0-9]{26})_([A-Za-z0-9_-]{43})$/.exec(value);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

import { randomSecret, sha256 } from './secrets.js';

/** CHALLENGE_TTL_MS is how long the second sign-in step may take after the right password. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** CHALLENGE_MAX_FAILURES wrong codes end a challenge: the password must be entered again. */
export const CHALLENGE_MAX_FAILURES = 5;

interface Challenge {
  userId: string;
  expiresAt: number;
  failures: number;
}

/**
 * LoginChallenges holds the proof that a user just gave the right password, between the two sign-in steps:
 * a random 256-bit token (only its SHA-256 is kept), tied to one user, good for five minutes, for one
 * session, and for at most five wrong codes. Memory only: a restart asks for the password again. Bounded:
 * past `maxEntries`, expired ones are dropped, then the oldest.
 */
export class LoginChallenges {
  private readonly challenges = new Map<string, Challenge>();

  constructor(private readonly maxEntries = 10_000) {}

  issue(userId: string, now = Date.now()): { challenge: string; expiresAt: Date } {
    const challenge = randomSecret();
    const expiresAt = now + CHALLENGE_TTL_MS;
    this.challenges.set(sha256(challenge), { userId, expiresAt, failures: 0 });
    if (this.challenges.size > this.maxEntries) this.prune(now);
    return { challenge, expiresAt: new Date(expiresAt) };
  }

  /** userOf names the user a live challenge belongs to, or null (unknown, expired, used or worn out). */
  userOf(challenge: string, now = Date.now()): string | null {
    const key = sha256(challenge);
    const entry = this.challenges.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= now) {
      this.challenges.delete(key);
      return null;
    }
    return entry.userId;
  }

  /**
   * take uses the challenge up: true for exactly one caller. Call it synchronously after the code matched,
   * so two requests racing with one challenge cannot both open a session.
   */
  take(challenge: string, now = Date.now()): boolean {
    const key = sha256(challenge);
    const entry = this.challenges.get(key);
    this.challenges.delete(key);
    return entry !== undefined && entry.expiresAt > now;
  }

  /** fail counts a wrong code; the fifth ends the challenge. */
  fail(challenge: string): void {
    const key = sha256(challenge);
    const entry = this.challenges.get(key);
    if (!entry) return;
    entry.failures++;
    if (entry.failures >= CHALLENGE_MAX_FAILURES) this.challenges.delete(key);
  }

  /** forgetUser ends every pending challenge of a user (two-factor turned off, password changed). */
  forgetUser(userId: string): void {
    for (const [key, entry] of this.challenges) if (entry.userId === userId) this.challenges.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.challenges) if (entry.expiresAt <= now) this.challenges.delete(key);
    for (const key of this.challenges.keys()) {
      if (this.challenges.size <= this.maxEntries) break;
      this.challenges.delete(key);
    }
  }
}

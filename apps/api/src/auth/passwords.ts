import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** hashPassword returns an argon2id PHC string; the password itself is never stored. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** verifyPassword checks a password against a PHC string; a malformed hash is a mismatch, not an error. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** prepareDummyHash builds the hash burnVerifyTime checks against, so the first unknown email costs no extra hashing. */
export async function prepareDummyHash(): Promise<void> {
  dummyHash ??= hashPassword('berth-dummy-password-for-timing');
  await dummyHash;
}

/** burnVerifyTime spends as long as a real verification so a wrong email takes as long as a wrong password. */
export async function burnVerifyTime(password: string): Promise<void> {
  dummyHash ??= hashPassword('berth-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * DataKey encrypts secrets the panel must be able to read back (uploaded TLS private keys, webhook
 * secrets) with AES-256-GCM. The key lives in `<dataDir>/secrets/data.key` (0600), created on first use;
 * a database copy without that file reveals none of them.
 */
export class DataKey {
  private constructor(private readonly key: Buffer) {}

  static loadOrCreate(dataDir: string): DataKey {
    const dir = path.join(dataDir, 'secrets');
    const file = path.join(dir, 'data.key');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!fs.existsSync(file)) {
      try {
        fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // Another process created it first: use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} is not a 32-byte base64 key; restore it from backup.`);
    return new DataKey(key);
  }

  /** encrypt returns `v1:<iv>:<tag>:<ciphertext>` (base64 parts). */
  encrypt(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('Unknown sealed secret format.');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}

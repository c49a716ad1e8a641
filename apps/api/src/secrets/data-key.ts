import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * DataKey encrypts secrets the panel must be able to read back (uploaded TLS private keys, webhook
 * secrets) with AES-256-GCM. The key lives in `<dataDir>/secrets/data.key` (0600), created on first use;
 * a database copy without that file reveals none of them. The panel refuses to start with a key file
 * other users could read or replace (see checkKeyFile).
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
    const key = Buffer.from(readPrivateFile(file).trim(), 'base64');
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

/**
 * readPrivateFile reads the key file through one descriptor opened without following a link, after
 * checking on that descriptor that it is a regular file owned by the panel's user with no group or other
 * permission bits. Anything else stops the start with a message that says how to fix it.
 */
function readPrivateFile(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw new Error(`${file} is not a regular file (a symbolic link); replace it with the key file itself (0600).`);
    throw error;
  }
  try {
    const info = fs.fstatSync(fd);
    if (!info.isFile()) throw new Error(`${file} is not a regular file; restore the key file from backup.`);
    const uid = process.getuid?.();
    if (uid !== undefined && info.uid !== uid) {
      throw new Error(
        `${file} is owned by uid ${info.uid}, not by the panel's user (uid ${uid}); run: chown ${uid} ${file}`,
      );
    }
    if ((info.mode & 0o077) !== 0) {
      throw new Error(
        `${file} is readable or writable by other users (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}); run: chmod 600 ${file}`,
      );
    }
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

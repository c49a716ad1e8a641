import { z } from 'zod';
import { ZDisplayName, ZId } from './common.js';

/** SSH_KEY_TYPES are the public key types an SFTP login accepts. */
export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

/**
 * parseSshPublicKey reads one OpenSSH public key line (`<type> <base64> [comment]`), refusing key options
 * (`command=…`, `from=…`) and anything that is not a single line; the comment is dropped.
 */
export function parseSshPublicKey(
  line: string,
): { ok: true; type: string; data: string } | { ok: false; message: string } {
  const text = line.trim();
  if (text === '') return { ok: false, message: 'Paste a public key, e.g. the content of ~/.ssh/id_ed25519.pub.' };
  if (text.includes('\n') || text.includes('\r') || text.includes('\u0000'))
    return { ok: false, message: 'Paste one key on one line.' };
  if (text.length > 16_384) return { ok: false, message: 'A public key is at most 16384 characters.' };
  const [type, data] = text.split(/\s+/);
  if (!type || !(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    if (text.includes('PRIVATE KEY'))
      return { ok: false, message: 'This is a private key: paste the public key (the .pub file) instead.' };
    return {
      ok: false,
      message: `Start with the key type (${SSH_KEY_TYPES.slice(0, 3).join(', ')}…), without options.`,
    };
  }
  if (!data || !/^[A-Za-z0-9+/]+={0,3}$/.test(data) || data.length < 64) {
    return { ok: false, message: 'The key data after the type is not valid base64.' };
  }
  return { ok: true, type, data };
}

export const ZSshPublicKey = z.string().superRefine((value, ctx) => {
  const parsed = parseSshPublicKey(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
});

/** ZSftpPassword is a password the tenant sets for SFTP (or leaves out to get a generated one). */
export const ZSftpPassword = z
  .string()
  .min(12, 'Use at least 12 characters, or leave it empty to get a generated one.')
  .max(128, 'Use at most 128 characters.')
  .refine(
    (p) => ![...p].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
    'Control characters are not allowed.',
  );

export const ZSftpKey = z.object({
  id: ZId,
  name: z.string(),
  type: z.string(),
  fingerprint: z.string(),
  createdAt: z.string(),
});
export type TSftpKey = z.infer<typeof ZSftpKey>;

/** ZSftpAccess is how a tenant reaches its files over SFTP. */
export const ZSftpAccess = z.object({
  tenantId: ZId,
  enabled: z.boolean(),
  /** The login (the tenant's slug), the host and port to connect to. */
  login: z.string(),
  host: z.string(),
  port: z.number().int(),
  /** Where a session starts: the folder holding the tenant's sites (one folder per site id). */
  home: z.literal('/sites'),
  hasPassword: z.boolean(),
  keys: z.array(ZSftpKey),
  /** Whether the SFTP server is running for this account right now (false while suspended). */
  active: z.boolean(),
});
export type TSftpAccess = z.infer<typeof ZSftpAccess>;

export const ZSftpTenantQuery = z.strictObject({ tenantId: ZId.optional() });
export const ZUpdateSftpRequest = z.strictObject({ tenantId: ZId.optional(), enabled: z.boolean() });
export const ZSftpPasswordRequest = z.strictObject({ tenantId: ZId.optional(), password: ZSftpPassword.optional() });
export const ZSftpPasswordResult = z.object({ password: z.string() });
export const ZAddSftpKeyRequest = z.strictObject({
  tenantId: ZId.optional(),
  name: ZDisplayName,
  publicKey: ZSshPublicKey,
});

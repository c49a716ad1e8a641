import type { TSftpAccess } from '@berth/contracts';

/** SftpState is what the status line says about an account's SFTP login, and its colour. */
export interface SftpState {
  label: string;
  color: string;
  detail: string;
}

/**
 * sftpState says whether the login works right now and, when it does not, what to do: turn it on, set a
 * password or add a key, wait for the server, or (suspended accounts) nothing the customer can do.
 */
export function sftpState(access: TSftpAccess, suspended: boolean): SftpState {
  const credentials = access.hasPassword || access.keys.length > 0;
  if (suspended)
    return {
      label: 'Suspended',
      color: 'orange',
      detail: 'The account is suspended, so nobody can sign in over SFTP until it is unsuspended.',
    };
  if (access.active) {
    const how = [access.hasPassword ? 'the password' : null, access.keys.length > 0 ? 'an SSH key' : null]
      .filter(Boolean)
      .join(' or ');
    return { label: 'Active', color: 'green', detail: `Sign in with ${how}.` };
  }
  const todo = [access.enabled ? null : 'turn it on', credentials ? null : 'set a password or add a key'].filter(
    Boolean,
  );
  if (todo.length > 0) return { label: 'Not active', color: 'gray', detail: `Not active: ${todo.join(' and ')}.` };
  return {
    label: 'Not active',
    color: 'yellow',
    detail: 'Not active yet: the SFTP server is starting or not running. Try again in a minute.',
  };
}

/** sftpCommand is the command line that opens a session with OpenSSH's sftp client. */
export function sftpCommand(access: Pick<TSftpAccess, 'port' | 'login' | 'host'>): string {
  return `sftp -P ${access.port} ${access.login}@${access.host}`;
}

/** PASSWORD_ALPHABET leaves out characters that are easy to misread when a password is read out (0/O, 1/l/I). */
const PASSWORD_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * generatePassword makes a password for an account owner in the browser, from the platform's CSPRNG: 20
 * characters of a 57-letter alphabet (about 116 bits), with no modulo bias.
 */
export function generatePassword(length = 20): string {
  const limit = 256 - (256 % PASSWORD_ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += PASSWORD_ALPHABET[byte % PASSWORD_ALPHABET.length];
    }
  }
  return out;
}

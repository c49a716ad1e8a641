import { describe, expect, it } from 'vitest';
import { sha512Crypt, verifySha512Crypt } from './sha512-crypt.js';

/** The test vectors published with Ulrich Drepper's specification ("Unix crypt using SHA-256 and SHA-512"). */
const SPEC_VECTORS: [salt: string, password: string, hash: string][] = [
  [
    '$6$saltstring',
    'Hello world!',
    '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
  ],
  [
    '$6$rounds=10000$saltstringsaltstring',
    'Hello world!',
    '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
  ],
  [
    '$6$rounds=5000$toolongsaltstring',
    'This is just a test',
    '$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
  ],
  [
    '$6$rounds=1400$anotherlongsaltstring',
    'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1',
  ],
  [
    '$6$rounds=77777$short',
    'we have a short salt string but not a short password',
    '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0',
  ],
  [
    '$6$rounds=123456$asaltof16chars..',
    'a short string',
    '$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1',
  ],
  [
    '$6$rounds=10$roundstoolow',
    'the minimum number is still observed',
    '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
  ],
];

/**
 * OPENSSL_VECTORS were computed once on Debian bookworm with `openssl passwd -6 -salt <salt> <password>` (OpenSSL
 * 3.0): what pam_unix in the SFTP image verifies. They cover a full 16-character salt, UTF-8, a password longer
 * than a SHA-512 block and characters that mean something in shadow files and shells.
 */
const OPENSSL_VECTORS: [salt: string, password: string, hash: string][] = [
  ['abc', 'password', '$6$abc$rvqzMBuMVukmply9mZJpW0wJMdDfgUKLDrSNxf9l66h/ytQiKNAdqHSj5YPJpxWJpVjRXibQXRddCl9xYHQnd0'],
  [
    'saltsaltsaltsalt',
    'correct horse battery staple',
    '$6$saltsaltsaltsalt$csoGsaC3yxEIvMdVpxO2zEQlhCHi/6pnPVKHT3nfribhRDnEOL4O5nnsAETH/r6rG0vxiN/wRElsAf4u8CK4d.',
  ],
  [
    'Zz09./Zz09./Zz09',
    'pässwörd 🔑',
    '$6$Zz09./Zz09./Zz09$h17XySDMgaMOou3vTFgdiDb0wuNIjXOM0RkMhChBB0kXEO0j6ugBRB0DrtMzVKhm9iLjcbaKb7UZziOub7aXu1',
  ],
  [
    'abcdefghijklmnop',
    'a'.repeat(100),
    '$6$abcdefghijklmnop$ZW3yixa3ExXjp32Kntt.IV2krvDXw.nWdGkqpCo65dluAx.25kaQM.iYywVP3SFVNEaptdOkL99N6Nf98Bmnr/',
  ],
  ['x', 'a:b$c', '$6$x$p.1Dv1Vip809Gu6ELNlZRpCQCNeXpNZnKQD2pxy.FTCKx4SAso6iVkDyZmPFHAFgzSy8jXxs2yX6HJ8RMrJyp.'],
];

describe('sha512Crypt', () => {
  it.each(SPEC_VECTORS)('matches the specification for salt %s', (salt, password, hash) => {
    expect(sha512Crypt(password, salt)).toBe(hash);
  });

  it.each(OPENSSL_VECTORS)('matches openssl passwd -6 for salt %s', (salt, password, hash) => {
    expect(sha512Crypt(password, salt)).toBe(hash);
  });

  it('makes a random 16-character salt of ./0-9A-Za-z when none is given', () => {
    const a = sha512Crypt('same password');
    const b = sha512Crypt('same password');
    expect(a).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(a).not.toBe(b);
    expect(verifySha512Crypt('same password', a)).toBe(true);
  });

  it('refuses a salt that would break a shadow line', () => {
    expect(() => sha512Crypt('pw', 'a:b')).toThrow(/salt/);
    expect(() => sha512Crypt('pw', 'a\nb')).toThrow(/salt/);
  });
});

describe('verifySha512Crypt', () => {
  const [, , hash] = OPENSSL_VECTORS[1]!;
  const rounds = SPEC_VECTORS[1]![2];
  const cases: [name: string, password: string, hash: string, expected: boolean][] = [
    ['the right password', 'correct horse battery staple', hash, true],
    ['the right password with explicit rounds', 'Hello world!', rounds, true],
    ['a wrong password', 'correct horse battery stapl', hash, false],
    ['the right password with a space more', 'correct horse battery staple ', hash, false],
    ['an empty password', '', hash, false],
    ['a hash with one character changed', 'correct horse battery staple', hash.replace(/.$/, 'e'), false],
    ['a hash cut short', 'correct horse battery staple', hash.slice(0, -1), false],
    ['a SHA-256 crypt hash', 'pw', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF/TKwzzz', false],
    ['a locked hash', 'correct horse battery staple', `!${hash}`, false],
    ['no hash', 'pw', '', false],
    ['rounds below the minimum', 'pw', `$6$rounds=999$abc$${'a'.repeat(86)}`, false],
  ];
  it.each(cases)('%s', (_name, password, h, expected) => {
    expect(verifySha512Crypt(password, h)).toBe(expected);
  });
});

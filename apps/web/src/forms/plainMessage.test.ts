import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { plainMessage } from './plainMessage';
import { issuesToErrors } from './useFormErrors';

describe('plainMessage', () => {
  it.each([
    ['Too small: expected number to be >=1', 'Enter a number of at least 1.'],
    ['Too small: expected number to be >0', 'Enter a number greater than 0.'],
    ['Too big: expected number to be <=65535', 'Enter a number of at most 65535.'],
    ['Too big: expected number to be <100', 'Enter a number less than 100.'],
    ['Invalid number: must be a multiple of 5', 'Enter a multiple of 5.'],
    ['Invalid input: expected string, received undefined', 'This field is required.'],
    ['Invalid input: expected number, received null', 'This field is required.'],
    ['Too small: expected string to have >=1 characters', 'This field is required.'],
    ['Invalid input: expected number, received NaN', 'Enter a number.'],
    ['Invalid input: expected int, received number', 'Enter a whole number.'],
    ['Invalid input: expected string, received number', 'Enter text.'],
    ['Invalid input: expected boolean, received string', 'Choose yes or no.'],
    ['Too small: expected string to have >=8 characters', 'Enter at least 8 characters.'],
    ['Too big: expected string to have <=1 characters', 'Enter at most 1 character.'],
    ['Too small: expected string to have exactly 6 characters', 'Enter exactly 6 characters.'],
    ['Too small: expected array to have >=1 items', 'Choose at least one.'],
    ['Too big: expected array to have <=3 items', 'Choose at most 3.'],
    ['Invalid email address', 'Enter an email address, e.g. name@example.com.'],
    ['Invalid URL', 'Enter a full URL, e.g. https://example.com.'],
    ['Invalid string: must match pattern /^[a-z]+$/', 'This value is not in the expected format.'],
    ['Invalid string: must start with "/"', 'Start this value with "/".'],
    ['Invalid option: expected one of "php"|"node"', 'Choose one of: php, node.'],
    ['Invalid input: expected "redirect"', 'This value must be "redirect".'],
    ['Unrecognized key: "extra"', 'This field is not accepted here: extra.'],
    ['Invalid input', 'This value is not valid.'],
    ['Too small: expected date to be >=0', 'This value is too small.'],
  ])('%s → %s', (raw, plain) => {
    expect(plainMessage(raw)).toBe(plain);
  });

  it.each([
    'A redirect domain needs a redirectTo URL.',
    'Version 5.6 is not offered for php; pick one of 8.3, 8.4.',
    'Enter the code from your authenticator app, or a recovery code.',
    '',
  ])('keeps a message the schema or the API wrote itself: %j', (custom) => {
    expect(plainMessage(custom)).toBe(custom);
  });

  it('covers what zod itself says, so a zod upgrade that changes the wording fails here', () => {
    const schema = z.object({
      count: z.number().min(1),
      name: z.string(),
      email: z.email(),
      slug: z.string().min(3),
    });
    const parsed = schema.safeParse({ count: 0, email: 'nope', slug: 'a' });
    expect(parsed.success).toBe(false);
    expect(issuesToErrors(parsed.error!.issues)).toEqual({
      count: 'Enter a number of at least 1.',
      name: 'This field is required.',
      email: 'Enter an email address, e.g. name@example.com.',
      slug: 'Enter at least 3 characters.',
    });
  });
});

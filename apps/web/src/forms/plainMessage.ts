/**
 * plainMessage turns zod's default English issue messages ("Too small: expected number to be >=1") into
 * the sentence a person reads next to a field ("Enter a number of at least 1."). The API validates with
 * the same contracts schemas, so its `details.issues[].message` carries the same defaults; any message a
 * schema or the API wrote itself is not one of these patterns and is returned unchanged.
 */

type Rule = [pattern: RegExp, sentence: (...groups: string[]) => string];

const NUMERIC = '(?:number|int|bigint)';

function optionList(raw: string): string {
  return raw
    .split('|')
    .map((option) => option.replace(/^"(.*)"$/, '$1'))
    .join(', ');
}

function plural(count: string, one: string, many: string): string {
  return count === '1' ? one : many;
}

const RULES: Rule[] = [
  // Missing or empty values.
  [/^Invalid input: expected \w+, received (?:undefined|null)$/, () => 'This field is required.'],
  [/^Too small: expected string to have >=1 characters?$/, () => 'This field is required.'],
  [/^Too small: expected array to have >=1 items?$/, () => 'Choose at least one.'],

  // Wrong kind of value.
  [/^Invalid input: expected int, received \w+$/, () => 'Enter a whole number.'],
  [new RegExp(`^Invalid input: expected ${NUMERIC}, received \\w+$`), () => 'Enter a number.'],
  [/^Invalid input: expected string, received \w+$/, () => 'Enter text.'],
  [/^Invalid input: expected boolean, received \w+$/, () => 'Choose yes or no.'],
  [/^Invalid input: expected date, received \w+$/, () => 'Enter a date.'],
  [/^Invalid input: expected \w+, received \w+$/, () => 'This value is not valid.'],

  // Number bounds.
  [new RegExp(`^Too small: expected ${NUMERIC} to be >=(\\S+)$`), (n) => `Enter a number of at least ${n}.`],
  [new RegExp(`^Too small: expected ${NUMERIC} to be >(\\S+)$`), (n) => `Enter a number greater than ${n}.`],
  [new RegExp(`^Too big: expected ${NUMERIC} to be <=(\\S+)$`), (n) => `Enter a number of at most ${n}.`],
  [new RegExp(`^Too big: expected ${NUMERIC} to be <(\\S+)$`), (n) => `Enter a number less than ${n}.`],
  [/^Invalid number: must be a multiple of (\S+)$/, (n) => `Enter a multiple of ${n}.`],

  // Text length.
  [
    /^Too small: expected string to have >=(\d+) characters?$/,
    (n) => `Enter at least ${n} ${plural(n, 'character', 'characters')}.`,
  ],
  [
    /^Too big: expected string to have <=(\d+) characters?$/,
    (n) => `Enter at most ${n} ${plural(n, 'character', 'characters')}.`,
  ],
  [
    /^Too (?:small|big): expected string to have exactly (\d+) characters?$/,
    (n) => `Enter exactly ${n} ${plural(n, 'character', 'characters')}.`,
  ],

  // List length.
  [/^Too small: expected (?:array|set) to have >=(\d+) items?$/, (n) => `Choose at least ${n}.`],
  [/^Too big: expected (?:array|set) to have <=(\d+) items?$/, (n) => `Choose at most ${n}.`],

  // Formats and choices.
  [/^Invalid email address$/, () => 'Enter an email address, e.g. name@example.com.'],
  [/^Invalid URL$/, () => 'Enter a full URL, e.g. https://example.com.'],
  [/^Invalid string: must start with "(.*)"$/, (s) => `Start this value with "${s}".`],
  [/^Invalid string: must end with "(.*)"$/, (s) => `End this value with "${s}".`],
  [/^Invalid string: must include "(.*)"$/, (s) => `This value must contain "${s}".`],
  [/^Invalid string: must match pattern .*$/, () => 'This value is not in the expected format.'],
  [/^Invalid option: expected one of (.+)$/, (list) => `Choose one of: ${optionList(list)}.`],
  [/^Invalid input: expected (".*")$/, (value) => `This value must be ${value}.`],
  [/^Unrecognized keys?: (.+)$/, (keys) => `This field is not accepted here: ${optionList(keys.replace(/, /g, '|'))}.`],
  [/^Invalid input$/, () => 'This value is not valid.'],
  [/^Too small: .*$/, () => 'This value is too small.'],
  [/^Too big: .*$/, () => 'This value is too large.'],
];

export function plainMessage(message: string): string {
  for (const [pattern, sentence] of RULES) {
    const match = pattern.exec(message);
    if (match) return sentence(...match.slice(1));
  }
  return message;
}

import { describe, expect, it } from 'vitest';
import {
  CRON_EXPRESSION_MAX_LENGTH,
  ZCronExpression,
  describeCron,
  minIntervalMinutes,
  nextRun,
  parseCron,
  type TCronSchedule,
} from './cron.js';

const NOW = new Date('2025-01-01T00:00:00Z');

function schedule(expr: string): TCronSchedule {
  const parsed = parseCron(expr, { now: NOW });
  if (!parsed.ok) throw new Error(`expected ${expr} to parse: ${parsed.message}`);
  return parsed.schedule;
}

const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

describe('parseCron accepts', () => {
  it.each<[string, Partial<TCronSchedule>]>([
    ['* * * * *', { minutes: range(0, 59), hours: range(0, 23), daysOfMonth: range(1, 31), months: range(1, 12) }],
    ['*/15 * * * *', { minutes: [0, 15, 30, 45] }],
    ['10-50/10 * * * *', { minutes: [10, 20, 30, 40, 50] }],
    ['1,5 * * * *', { minutes: [1, 5] }],
    ['5,1,5 * * * *', { minutes: [1, 5] }],
    ['0-10/5,30 */8 * * *', { minutes: [0, 5, 10, 30], hours: [0, 8, 16] }],
    ['0 3 * * *', { minutes: [0], hours: [3], daysOfWeek: range(0, 6), dayOfMonthStar: true, dayOfWeekStar: true }],
    ['0 0 * jan,jul *', { months: [1, 7] }],
    ['0 0 * JAN-Mar *', { months: [1, 2, 3], expression: '0 0 * jan-mar *' }],
    ['0 0 * */3 *', { months: [1, 4, 7, 10] }],
    ['0 0 * * mon-fri', { daysOfWeek: [1, 2, 3, 4, 5], dayOfWeekStar: false }],
    ['0 0 * * 7', { daysOfWeek: [0] }],
    ['0 0 * * 0,7', { daysOfWeek: [0] }],
    ['0 0 * * 5-7', { daysOfWeek: [0, 5, 6] }],
    ['0 0 * * fri-sun', { daysOfWeek: [0, 5, 6] }],
    ['0 0 * * 0-7', { daysOfWeek: range(0, 6) }],
    ['0 0 1,15 * *', { daysOfMonth: [1, 15], dayOfMonthStar: false, dayOfWeekStar: true }],
    ['0 0 */2 * mon', { daysOfMonth: range(1, 31, 2), daysOfWeek: [1], dayOfMonthStar: true, dayOfWeekStar: false }],
    ['0 0 29 2 *', { daysOfMonth: [29], months: [2] }],
    ['0 0 31 * *', { daysOfMonth: [31] }],
    ['  0   0\t* * *  ', { expression: '0 0 * * *' }],
    ['@hourly', { expression: '@hourly', minutes: [0], hours: range(0, 23) }],
    ['@daily', { minutes: [0], hours: [0], daysOfMonth: range(1, 31) }],
    ['@midnight', { minutes: [0], hours: [0] }],
    ['@weekly', { hours: [0], daysOfWeek: [0], dayOfMonthStar: true }],
    ['@monthly', { daysOfMonth: [1], months: range(1, 12) }],
    ['@yearly', { daysOfMonth: [1], months: [1] }],
    ['@ANNUALLY', { expression: '@annually', daysOfMonth: [1], months: [1] }],
  ])('%j', (expr, expected) => {
    expect(schedule(expr)).toMatchObject(expected);
  });
});

describe('parseCron refuses, naming the field and what to do', () => {
  it.each<[string, string | RegExp]>([
    ['', 'Enter a schedule such as */15 * * * * (minute hour day-of-month month day-of-week) or @daily.'],
    ['   ', /^Enter a schedule/],
    [`${'1,'.repeat(50)}1 * * * *`, `A schedule is at most ${CRON_EXPRESSION_MAX_LENGTH} characters long.`],
    ['* * * *', /^A schedule has 5 fields \(minute hour day-of-month month day-of-week\); this one has 4\. /],
    ['0 * * * * *', /this one has 6: seconds and years are not supported/],
    ['60 * * * *', 'The minute field allows 0–59; 60 is out of range.'],
    ['0 24 * * *', 'The hour field allows 0–23; 24 is out of range.'],
    ['0 0 0 * *', 'The day-of-month field allows 1–31; 0 is out of range.'],
    ['0 0 32 * *', 'The day-of-month field allows 1–31; 32 is out of range.'],
    ['0 0 * 13 *', 'The month field allows 1–12 or jan–dec; 13 is out of range.'],
    ['0 0 * * 8', 'The day-of-week field allows 0–7 or sun–sat (0 and 7 are Sunday); 8 is out of range.'],
    ['0 0 * * 99999999999999999999', /day-of-week field allows .*; 99999999999999999999 is out of range\.$/],
    ['0 024 * * *', 'The hour field allows 0–23; 24 is out of range.'],
    ['*/0 * * * *', 'The minute field allows steps from 1 to 59; "/0" is not one of them.'],
    ['*/60 * * * *', 'The minute field allows steps from 1 to 59; "/60" is not one of them.'],
    ['0 */x * * *', 'The hour field allows steps from 1 to 23; "/x" is not one of them.'],
    ['*/5/2 * * * *', /more than one "\/"/],
    ['5/15 * * * *', 'The minute field has "5/15": a step needs * or a range before it, like */15 or 5-59/15.'],
    ['0 22-2 * * *', "The hour field's range 22-2 runs backwards; split it in two, like 22-23,0-2."],
    ['0 0 * * sat-tue', /range sat-tue runs backwards/],
    ['0 0 * nov-feb *', "The month field's range nov-feb runs backwards; split it in two, like 11-12,1-2."],
    ['1-2-3 * * * *', /"1-2-3", which is not a range/],
    ['*-5 * * * *', /\* cannot be part of a range/],
    ['-5 * * * *', /incomplete range/],
    ['1,,2 * * * *', 'The minute field has an empty entry in its list; check the commas.'],
    ['0 0 * foo *', 'The month field does not accept "foo"; it allows 1–12 or jan–dec.'],
    ['0 0 * * funday', /^The day-of-week field does not accept "funday"/],
    ['0 0 * * mon;rm', /^The day-of-week field contains ";", which is not allowed; use numbers, names/],
    [
      '0 0 ? * mon',
      /^The day-of-month field uses "\?", which is not supported; use numbers, names \(jan–dec, sun–sat\)/,
    ],
    ['0 0 L * *', /^The day-of-month field uses "L", which is not supported/],
    ['0 0 15W * *', /^The day-of-month field uses "15W", which is not supported/],
    ['0 0 LW * *', /^The day-of-month field uses "LW", which is not supported/],
    ['0 0 * * 5L', /^The day-of-week field uses "5L", which is not supported/],
    ['0 0 * * 5#3', /^The day-of-week field uses "#", which is not supported/],
    ['0 0 * * mon#1', /^The day-of-week field uses "#"/],
    ['H * * * *', /^The minute field does not accept "h"/],
    ['0 0\n* * *', /^A schedule has 5 fields/],
    ['@reboot', /^@reboot is not supported: jobs run on a clock schedule\. Use @hourly, @daily/],
    ['@every 5m', /^"@every 5m" is not a known shortcut; use @hourly/],
    ['@daily *', /is not a known shortcut/],
    ['0 0 30 2 *', /^This schedule never runs: none of its months has that day \(February has at most 29 days/],
    ['0 0 31 4,6,9,11 *', /^This schedule never runs/],
    ['0 0 30,31 feb *', /^This schedule never runs/],
  ])('%j', (expr, message) => {
    const parsed = parseCron(expr, { now: NOW });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    if (typeof message === 'string') expect(parsed.message).toBe(message);
    else expect(parsed.message).toMatch(message);
  });

  it('refuses a day-of-month/day-of-week coincidence that does not come within 5 years', () => {
    // Vixie: `*/30` counts as "every day", so both fields must match: February 1st on a Monday (2027, then 2038).
    expect(parseCron('0 0 */30 feb mon', { now: new Date('2025-01-01T00:00:00Z') }).ok).toBe(true);
    const later = parseCron('0 0 */30 feb mon', { now: new Date('2028-01-01T00:00:00Z') });
    expect(later).toEqual({
      ok: false,
      message: expect.stringMatching(/^This schedule does not run within the next 5 years/) as unknown,
    });
  });

  it('accepts February 29th, which only leap years have', () => {
    expect(parseCron('0 0 29 feb *', { now: new Date('2025-03-01T00:00:00Z') }).ok).toBe(true);
  });
});

describe('nextRun', () => {
  it.each<[string, string, string]>([
    ['*/15 * * * *', '2024-01-01T00:00:00Z', '2024-01-01T00:15:00Z'],
    ['*/15 * * * *', '2024-01-01T00:07:30Z', '2024-01-01T00:15:00Z'],
    ['*/15 * * * *', '2024-01-01T00:14:59.999Z', '2024-01-01T00:15:00Z'],
    ['*/15 * * * *', '2024-01-01T23:45:00Z', '2024-01-02T00:00:00Z'],
    ['* * * * *', '2024-01-01T10:00:59Z', '2024-01-01T10:01:00Z'],
    ['10-50/10 9-17 * * *', '2024-01-01T17:50:00Z', '2024-01-02T09:10:00Z'],
    ['0 0 1 * *', '2024-01-31T23:59:00Z', '2024-02-01T00:00:00Z'],
    ['@yearly', '2024-12-31T23:59:59.999Z', '2025-01-01T00:00:00Z'],
    ['59 23 31 12 *', '2024-12-31T23:59:00Z', '2025-12-31T23:59:00Z'],
    ['0 0 29 2 *', '2023-06-01T00:00:00Z', '2024-02-29T00:00:00Z'],
    ['0 0 29 2 *', '2024-03-01T00:00:00Z', '2028-02-29T00:00:00Z'],
    ['0 0 29 2 *', '2096-03-01T00:00:00Z', '2104-02-29T00:00:00Z'], // 2100 is not a leap year
    ['30 2 * * *', '2024-02-28T03:00:00Z', '2024-02-29T02:30:00Z'],
    ['30 2 * * *', '2023-02-28T03:00:00Z', '2023-03-01T02:30:00Z'],
    ['0 0 31 * *', '2024-04-01T00:00:00Z', '2024-05-31T00:00:00Z'],
    ['0 12 * nov-dec,jan-feb *', '2024-03-15T00:00:00Z', '2024-11-01T12:00:00Z'],
    ['0 12 * nov-dec,jan-feb *', '2024-12-31T12:00:00Z', '2025-01-01T12:00:00Z'],
    ['0 9 * * mon-fri', '2024-06-07T09:00:00Z', '2024-06-10T09:00:00Z'], // Friday → Monday
    ['0 0 * * 7', '2024-06-03T00:00:00Z', '2024-06-09T00:00:00Z'], // Sunday
    ['@weekly', '2024-06-09T00:00:00Z', '2024-06-16T00:00:00Z'],
    ['0 0 */30 feb mon', '2025-01-01T00:00:00Z', '2027-02-01T00:00:00Z'],
  ])('%s after %s is %s', (expr, after, expected) => {
    expect(nextRun(schedule(expr), new Date(after)).toISOString()).toBe(new Date(expected).toISOString());
  });

  it('runs on the 13th OR on Fridays when both day fields are restricted (Vixie cron)', () => {
    expect(runs('0 0 13 * fri', '2024-09-01T00:00:00Z', 6)).toEqual([
      '2024-09-06',
      '2024-09-13', // both
      '2024-09-20',
      '2024-09-27',
      '2024-10-04',
      '2024-10-11',
    ]);
    expect(runs('0 0 1,15 * 3', '2025-01-01T00:00:00Z', 4)).toEqual([
      '2025-01-08', // 1st itself is not after 00:00 on the 1st
      '2025-01-15',
      '2025-01-22',
      '2025-01-29',
    ]);
  });

  it('runs only on days matching both fields when one starts with * (Vixie cron)', () => {
    // Odd days that are Mondays.
    expect(runs('0 0 */2 * mon', '2024-01-01T00:00:00Z', 4)).toEqual([
      '2024-01-15',
      '2024-01-29',
      '2024-02-05',
      '2024-02-19',
    ]);
  });

  it('agrees with a minute-by-minute reference scan', () => {
    const exprs = [
      '*/7 * * * *',
      '0,1 */5 * * *',
      '15 3 * * 1,3',
      '0 0 13 * fri',
      '0 0 */2 * mon',
      '45 23 28-31 * *',
      '0 6 * feb,mar sun',
      '5 4 1 */4 *',
    ];
    const starts = ['2024-02-27T22:13:00Z', '2023-12-31T23:58:30Z', '2025-06-15T12:00:00Z'];
    for (const expr of exprs) {
      const s = schedule(expr);
      for (const start of starts) {
        let t = new Date(start);
        for (let i = 0; i < 5; i++) {
          const expected = referenceNextRun(s, t);
          const actual = nextRun(s, t);
          expect(actual.toISOString(), `${expr} after ${t.toISOString()}`).toBe(expected.toISOString());
          t = actual;
        }
      }
    }
  });

  it('uses UTC whatever the process time zone', () => {
    expect(nextRun(schedule('0 3 * * *'), new Date('2024-03-31T02:00:00+02:00')).toISOString()).toBe(
      '2024-03-31T03:00:00.000Z',
    );
  });

  it('throws, rather than loops, for a hand-built schedule that never runs', () => {
    const never: TCronSchedule = { ...schedule('0 0 1 2 *'), daysOfMonth: [30] };
    expect(() => nextRun(never, NOW)).toThrow(/no run within 100 years/);
  });
});

describe('minIntervalMinutes', () => {
  it.each<[string, number]>([
    ['* * * * *', 1],
    ['*/2 * * * *', 2],
    ['0,1 * * * *', 1],
    ['*/5 * * * *', 5],
    ['*/15 * * * *', 15],
    ['*/7 * * * *', 4], // :56 → next hour's :00
    ['0,30 * * * *', 30],
    ['0 * * * *', 60],
    ['@hourly', 60],
    ['0 */6 * * *', 360],
    ['0 0,23 * * *', 60], // 23:00 → 00:00 the next day
    ['30 0,23 * * *', 60],
    ['0,55 0,23 * * *', 5], // 23:55 → 00:00
    ['0 3 * * *', 1440],
    ['@daily', 1440],
    ['0 3 * * 1', 1440], // days are counted as if consecutive
    ['*/10 9-17 * * mon-fri', 10],
  ])('%s → %i', (expr, minutes) => {
    expect(minIntervalMinutes(schedule(expr))).toBe(minutes);
  });

  it('lets a plan with a 5-minute minimum refuse what runs more often', () => {
    const allowed = (expr: string) => minIntervalMinutes(schedule(expr)) >= 5;
    expect(allowed('* * * * *')).toBe(false);
    expect(allowed('*/2 * * * *')).toBe(false);
    expect(allowed('0,1 * * * *')).toBe(false);
    expect(allowed('0,3 0 * * *')).toBe(false);
    expect(allowed('*/5 * * * *')).toBe(true);
    expect(allowed('58 23 * * *')).toBe(true);
  });
});

describe('describeCron', () => {
  it.each<[string, string]>([
    ['* * * * *', 'every minute'],
    ['*/15 * * * *', 'every 15 minutes'],
    ['0,30 * * * *', 'every 30 minutes'],
    ['*/7 * * * *', '*/7 * * * *'],
    ['5 * * * *', 'every hour at minute 5'],
    ['@hourly', 'every hour at minute 0'],
    ['0 */6 * * *', 'every 6 hours at minute 0'],
    ['0 3 * * *', 'daily at 03:00 UTC'],
    ['@daily', 'daily at 00:00 UTC'],
    ['30 4 * * 1', 'every Monday at 04:30 UTC'],
    ['@weekly', 'every Sunday at 00:00 UTC'],
    ['0 9 * * mon-fri', 'on weekdays at 09:00 UTC'],
    ['0 0 1 * *', 'monthly on day 1 at 00:00 UTC'],
    ['@yearly', 'yearly on 1 January at 00:00 UTC'],
    ['0 0 1 * mon', '0 0 1 * mon'],
    ['0 0 */2 * mon', '0 0 */2 * mon'],
    ['0 3 * * 1,3', '0 3 * * 1,3'],
  ])('%s → %s', (expr, text) => {
    expect(describeCron(schedule(expr))).toBe(text);
  });
});

describe('ZCronExpression', () => {
  it('trims and accepts a valid schedule', () => {
    expect(ZCronExpression.parse('  */5 * * * * ')).toBe('*/5 * * * *');
  });

  it("refuses with parseCron's message", () => {
    const result = ZCronExpression.safeParse('0 24 * * *');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['The hour field allows 0–23; 24 is out of range.']);
    expect(ZCronExpression.safeParse(15).success).toBe(false);
  });
});

/** runs lists the dates (YYYY-MM-DD) of the next `count` runs after `after`. */
function runs(expr: string, after: string, count: number): string[] {
  const s = schedule(expr);
  const out: string[] = [];
  let t = new Date(after);
  for (let i = 0; i < count; i++) {
    t = nextRun(s, t);
    out.push(t.toISOString().slice(0, 10));
  }
  return out;
}

/** referenceNextRun is the definition, scanned one minute at a time (slow, for checking only). */
function referenceNextRun(s: TCronSchedule, after: Date): Date {
  let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 3 * 366 * 1440; i++, t += 60_000) {
    const d = new Date(t);
    const dom = s.daysOfMonth.includes(d.getUTCDate());
    const dow = s.daysOfWeek.includes(d.getUTCDay());
    const day = !s.dayOfMonthStar && !s.dayOfWeekStar ? dom || dow : dom && dow;
    if (
      day &&
      s.months.includes(d.getUTCMonth() + 1) &&
      s.hours.includes(d.getUTCHours()) &&
      s.minutes.includes(d.getUTCMinutes())
    )
      return d;
  }
  throw new Error('reference scan found nothing');
}

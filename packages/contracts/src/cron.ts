import { z } from 'zod';

// Cron schedules for per-site jobs, shared by the API (validation, plan limits), the scheduler (next run) and
// the console (live feedback while typing). Standard 5-field cron with Vixie cron's rules, evaluated in UTC:
//
//   ┌ minute (0–59)
//   │ ┌ hour (0–23)
//   │ │ ┌ day-of-month (1–31)
//   │ │ │ ┌ month (1–12 or jan–dec)
//   │ │ │ │ ┌ day-of-week (0–7 or sun–sat; 0 and 7 are Sunday)
//   * * * * *
//
// Each field is `*`, a value, a range `1-5`, a step `*/15` or `10-50/10`, or a comma list of those.
// Quartz/Jenkins extensions (seconds, `?`, `L`, `W`, `#`, `H`) and `@reboot` are refused with a message.

/** CRON_EXPRESSION_MAX_LENGTH is the longest schedule accepted (a long list of minutes fits easily). */
export const CRON_EXPRESSION_MAX_LENGTH = 100;

/** CRON_NEVER_RUNS_YEARS is how far ahead parseCron looks for a first run before refusing a schedule. */
export const CRON_NEVER_RUNS_YEARS = 5;

/** NEXT_RUN_SEARCH_YEARS bounds nextRun; every date/weekday combination that exists recurs well within it. */
const NEXT_RUN_SEARCH_YEARS = 100;

/**
 * TCronSchedule is a parsed schedule: the sorted values each field allows, plus Vixie's "star" flags. As in
 * Vixie cron, a day-of-month or day-of-week field that starts with `*` (a plain star, or a step over the star)
 * counts as unrestricted: when neither is, a day runs if EITHER matches (`0 0 1 * mon` = the 1st and every
 * Monday); otherwise both must match (every-other-day with `mon` = Mondays on odd days). Plain data, so it can
 * be stored or sent as JSON.
 */
export interface TCronSchedule {
  /** The expression, trimmed, lowercase, fields separated by one space (`@daily` stays `@daily`). */
  expression: string;
  minutes: readonly number[];
  hours: readonly number[];
  /** 1–31. */
  daysOfMonth: readonly number[];
  /** 1–12. */
  months: readonly number[];
  /** 0–6, Sunday is 0 (a 7 in the expression is stored as 0). */
  daysOfWeek: readonly number[];
  dayOfMonthStar: boolean;
  dayOfWeekStar: boolean;
}

export type TCronParseResult = { ok: true; schedule: TCronSchedule } | { ok: false; message: string };

interface FieldSpec {
  name: 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';
  min: number;
  max: number;
  /** How the allowed values are shown in messages. */
  allowed: string;
  names?: Readonly<Record<string, number>>;
  /** Largest step that gives more than one value. */
  maxStep: number;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MONTH_LONG = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAY_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59, allowed: '0–59', maxStep: 59 },
  { name: 'hour', min: 0, max: 23, allowed: '0–23', maxStep: 23 },
  { name: 'day-of-month', min: 1, max: 31, allowed: '1–31', maxStep: 30 },
  {
    name: 'month',
    min: 1,
    max: 12,
    allowed: '1–12 or jan–dec',
    names: Object.fromEntries(MONTH_NAMES.map((n, i) => [n, i + 1])),
    maxStep: 11,
  },
  {
    name: 'day-of-week',
    min: 0,
    max: 7,
    allowed: '0–7 or sun–sat (0 and 7 are Sunday)',
    names: Object.fromEntries(DAY_NAMES.map((n, i) => [n, i])),
    maxStep: 6,
  },
];

const MACROS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

const SUPPORTED =
  'numbers, names (jan–dec, sun–sat), * for every value, lists (1,15), ranges (1-5) and steps (*/15 or 10-50/10)';
const FIELD_ORDER = 'minute hour day-of-month month day-of-week';
const MACRO_LIST = '@hourly, @daily (or @midnight), @weekly, @monthly and @yearly (or @annually)';

class CronSyntaxError extends Error {}

function fail(message: string): never {
  throw new CronSyntaxError(message);
}

function parseValue(token: string, spec: FieldSpec): number {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < spec.min || n > spec.max)
      fail(`The ${spec.name} field allows ${spec.allowed}; ${token.replace(/^0+(?=\d)/, '')} is out of range.`);
    return n;
  }
  if (token === '') fail(`The ${spec.name} field has an incomplete range or step; write it like 1-5 or */15.`);
  const named = spec.names?.[token];
  if (named !== undefined) return named;
  if (token === '*') fail(`In the ${spec.name} field, * cannot be part of a range; use * alone or a range like 1-5.`);
  fail(`The ${spec.name} field does not accept "${token}"; it allows ${spec.allowed}.`);
}

// expandItem turns one list item (`*`, `5`, `1-5`, `*/15`, `10-50/10`) into its values.
function expandItem(item: string, spec: FieldSpec): number[] {
  const parts = item.split('/');
  if (parts.length > 2) fail(`The ${spec.name} field has "${item}" with more than one "/"; write a step like */15.`);
  const [base = '', stepText] = parts;
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1 || Number(stepText) > spec.maxStep)
      fail(`The ${spec.name} field allows steps from 1 to ${spec.maxStep}; "/${stepText}" is not one of them.`);
    step = Number(stepText);
  }
  let from: number;
  let to: number;
  if (base === '*') {
    [from, to] = [spec.min, spec.max];
  } else if (base.includes('-')) {
    const bounds = base.split('-');
    if (bounds.length !== 2) fail(`The ${spec.name} field has "${item}", which is not a range; write it like 1-5.`);
    from = parseValue(bounds[0] ?? '', spec);
    to = parseValue(bounds[1] ?? '', spec);
    if (spec.name === 'day-of-week' && to === 0 && from > 0) to = 7;
    if (from > to) {
      fail(
        `The ${spec.name} field's range ${base} runs backwards; split it in two, like ${from}-${spec.max},${spec.min}-${to}.`,
      );
    }
  } else {
    from = parseValue(base, spec);
    if (stepText !== undefined) {
      fail(
        `The ${spec.name} field has "${item}": a step needs * or a range before it, like */${step} or ${from}-${spec.max}/${step}.`,
      );
    }
    to = from;
  }
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

function unsupportedToken(field: string, spec: FieldSpec): string | undefined {
  const special = field.match(/[?#]/)?.[0];
  if (special) return special;
  if (spec.name !== 'day-of-month' && spec.name !== 'day-of-week') return undefined;
  return field.split(/[,/-]/).find((t) => /^(l|w|lw|\d+[lw]|l\d*)$/.test(t));
}

interface ParsedField {
  values: number[];
  star: boolean;
}

function parseField(field: string, spec: FieldSpec): ParsedField {
  const special = unsupportedToken(field, spec);
  if (special !== undefined) {
    fail(
      `The ${spec.name} field uses "${special.toUpperCase()}", which is not supported; use ${SUPPORTED} (allowed values: ${spec.allowed}).`,
    );
  }
  const bad = field.match(/[^0-9a-z*,/-]/)?.[0];
  if (bad !== undefined) fail(`The ${spec.name} field contains "${bad}", which is not allowed; use ${SUPPORTED}.`);
  const seen = new Set<number>();
  for (const item of field.split(',')) {
    if (item === '') fail(`The ${spec.name} field has an empty entry in its list; check the commas.`);
    for (const v of expandItem(item, spec)) seen.add(spec.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  // Vixie cron's DOM_STAR/DOW_STAR: whatever starts with `*` counts as "every day" for the either-or rule.
  return { values: [...seen].sort((a, b) => a - b), star: field.startsWith('*') };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Longest each month ever is (February in a leap year). */
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function parseFields(text: string): TCronSchedule {
  const fields = text.split(/[ \t]+/);
  if (fields.length !== 5) {
    const extra = fields.length > 5 ? ': seconds and years are not supported' : '';
    fail(
      `A schedule has 5 fields (${FIELD_ORDER}); this one has ${fields.length}${extra}. Example: */15 * * * * runs every 15 minutes.`,
    );
  }
  const [minute, hour, dom, month, dow] = FIELDS.map((spec, i) => parseField(fields[i] ?? '', spec)) as [
    ParsedField,
    ParsedField,
    ParsedField,
    ParsedField,
    ParsedField,
  ];
  return {
    expression: fields.join(' '),
    minutes: minute.values,
    hours: hour.values,
    daysOfMonth: dom.values,
    months: month.values,
    daysOfWeek: dow.values,
    dayOfMonthStar: dom.star,
    dayOfWeekStar: dow.star,
  };
}

/**
 * parseCron checks a schedule as a hosting customer types it and says in one plain sentence, naming the
 * field, what to change. It also refuses schedules that never run (`0 0 30 2 *`) or whose first run is more
 * than CRON_NEVER_RUNS_YEARS after `now` (a rare weekday/date coincidence), so a job always has a next run.
 */
export function parseCron(expr: string, opts: { now?: Date } = {}): TCronParseResult {
  const text = expr.trim().toLowerCase();
  if (text === '') return { ok: false, message: `Enter a schedule such as */15 * * * * (${FIELD_ORDER}) or @daily.` };
  if (text.length > CRON_EXPRESSION_MAX_LENGTH)
    return { ok: false, message: `A schedule is at most ${CRON_EXPRESSION_MAX_LENGTH} characters long.` };
  try {
    let schedule: TCronSchedule;
    if (text.startsWith('@')) {
      const macro = MACROS[text];
      if (text === '@reboot')
        fail(`@reboot is not supported: jobs run on a clock schedule. Use ${MACRO_LIST}, or 5 fields.`);
      if (macro === undefined)
        fail(`"${expr.trim()}" is not a known shortcut; use ${MACRO_LIST}, or 5 fields (${FIELD_ORDER}).`);
      schedule = { ...parseFields(macro), expression: text };
    } else {
      schedule = parseFields(text);
    }
    assertCanRun(schedule, opts.now ?? new Date());
    return { ok: true, schedule };
  } catch (err) {
    if (err instanceof CronSyntaxError) return { ok: false, message: err.message };
    throw err;
  }
}

function assertCanRun(s: TCronSchedule, now: Date): void {
  // With * as the weekday, days come from the day-of-month field alone: one of them must exist in some month.
  const fits = s.months.some((m) => s.daysOfMonth.some((d) => d <= (MAX_DAYS[m - 1] ?? 31)));
  if (s.dayOfWeekStar && !s.dayOfMonthStar && !fits) {
    fail(
      'This schedule never runs: none of its months has that day (February has at most 29 days; April, June, September and November have 30).',
    );
  }
  if (findNextRun(s, now, CRON_NEVER_RUNS_YEARS) === undefined) {
    fail(
      `This schedule does not run within the next ${CRON_NEVER_RUNS_YEARS} years: its days of the month and days of the week rarely coincide. Choose the days with one of the two fields and put * in the other.`,
    );
  }
}

const MINUTE_MS = 60_000;

/** firstAtOrAfter is the smallest value ≥ from in a sorted list. */
function firstAtOrAfter(sorted: readonly number[], from: number): number | undefined {
  for (const v of sorted) if (v >= from) return v;
  return undefined;
}

function findNextRun(s: TCronSchedule, after: Date, years: number): Date | undefined {
  const start = new Date(Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  let hour = start.getUTCHours();
  let minute = start.getUTCMinutes();
  const lastYear = year + years;
  const doms = new Set(s.daysOfMonth);
  const dows = new Set(s.daysOfWeek);
  const either = !s.dayOfMonthStar && !s.dayOfWeekStar;
  const firstMonth = s.months[0] ?? 1;

  // Each step moves to the start of the next month, day or hour that can still match, so a search costs at
  // most a few hundred steps per year whatever the schedule.
  while (year <= lastYear) {
    if (!s.months.includes(month)) {
      const next = firstAtOrAfter(s.months, month);
      if (next === undefined) [year, month] = [year + 1, firstMonth];
      else month = next;
      [day, hour, minute] = [1, 0, 0];
      continue;
    }
    if (day > daysInMonth(year, month)) {
      [month, day, hour, minute] = [month + 1, 1, 0, 0];
      if (month > 12) [year, month] = [year + 1, 1];
      continue;
    }
    const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    const domOk = doms.has(day);
    const dowOk = dows.has(weekday);
    if (!(either ? domOk || dowOk : domOk && dowOk)) {
      [day, hour, minute] = [day + 1, 0, 0];
      continue;
    }
    const h = firstAtOrAfter(s.hours, hour);
    if (h === undefined) {
      [day, hour, minute] = [day + 1, 0, 0];
      continue;
    }
    if (h !== hour) [hour, minute] = [h, 0];
    const m = firstAtOrAfter(s.minutes, minute);
    if (m === undefined) {
      [hour, minute] = [hour + 1, 0];
      if (hour > 23) [day, hour] = [day + 1, 0];
      continue;
    }
    return new Date(Date.UTC(year, month - 1, day, hour, m));
  }
  return undefined;
}

/**
 * nextRun is the first minute strictly after `after` (UTC) at which the schedule runs. It skips whole months,
 * days and hours, never scanning minute by minute. A schedule from parseCron always has one; the search is
 * bounded all the same and throws if nothing runs within a century (a hand-built schedule that never runs).
 */
export function nextRun(schedule: TCronSchedule, after: Date): Date {
  const next = findNextRun(schedule, after, NEXT_RUN_SEARCH_YEARS);
  if (next === undefined)
    throw new Error(`Cron schedule "${schedule.expression}" has no run within ${NEXT_RUN_SEARCH_YEARS} years.`);
  return next;
}

const DAY_MINUTES = 24 * 60;

/**
 * minIntervalMinutes is the smallest gap between two consecutive runs, so a plan can refuse schedules more
 * frequent than it allows (`0,1 * * * *` is every minute at times, even though it runs twice an hour). Exact
 * for the times of day (gaps within a day, and from the last run of a day to the first of the next); days are
 * taken conservatively, as if the schedule could run on two consecutive days, so a weekly job counts as 1440.
 */
export function minIntervalMinutes(schedule: TCronSchedule): number {
  const times: number[] = [];
  for (const h of schedule.hours) for (const m of schedule.minutes) times.push(h * 60 + m);
  let smallest = DAY_MINUTES;
  for (let i = 1; i < times.length; i++) smallest = Math.min(smallest, (times[i] ?? 0) - (times[i - 1] ?? 0));
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? 0;
  return Math.min(smallest, first + DAY_MINUTES - last);
}

const pad = (n: number) => String(n).padStart(2, '0');

function isAll(values: readonly number[], min: number, max: number): boolean {
  return values.length === max - min + 1;
}

/**
 * describeCron says a common schedule in a few English words ("every 15 minutes", "daily at 03:00 UTC",
 * "every Monday at 04:30 UTC"); any other schedule is shown as its expression.
 */
export function describeCron(schedule: TCronSchedule): string {
  const { minutes, hours, daysOfMonth, months, daysOfWeek } = schedule;
  const allMonth = schedule.dayOfMonthStar && isAll(daysOfMonth, 1, 31);
  const allWeek = schedule.dayOfWeekStar && isAll(daysOfWeek, 0, 6);
  const everyDay = allMonth && allWeek;
  const allYear = isAll(months, 1, 12);
  const everyHour = isAll(hours, 0, 23);
  const [minute] = minutes;
  const [hour] = hours;
  if (everyDay && allYear && everyHour) {
    if (isAll(minutes, 0, 59)) return 'every minute';
    const step = (minutes[1] ?? 0) - (minutes[0] ?? 0);
    if (minutes[0] === 0 && minutes.length > 1 && 60 % step === 0 && minutes.length === 60 / step)
      return minutes.every((m, i) => m === i * step) ? `every ${step} minutes` : schedule.expression;
    if (minutes.length === 1) return `every hour at minute ${minute}`;
  }
  if (minutes.length !== 1 || minute === undefined || hour === undefined) return schedule.expression;
  if (hours.length > 1) {
    const step = (hours[1] ?? 0) - hour;
    const regular =
      hour === 0 && 24 % step === 0 && hours.length === 24 / step && hours.every((h, i) => h === i * step);
    return regular && everyDay && allYear ? `every ${step} hours at minute ${minute}` : schedule.expression;
  }
  const at = `at ${pad(hour)}:${pad(minute)} UTC`;
  if (!allYear) {
    const [m] = months;
    const [d] = daysOfMonth;
    if (months.length === 1 && daysOfMonth.length === 1 && allWeek && m && d)
      return `yearly on ${d} ${MONTH_LONG[m - 1]} ${at}`;
    return schedule.expression;
  }
  if (everyDay) return `daily ${at}`;
  if (allMonth && daysOfWeek.length === 1) return `every ${DAY_LONG[daysOfWeek[0] ?? 0]} ${at}`;
  if (allMonth && daysOfWeek.join(',') === '1,2,3,4,5') return `on weekdays ${at}`;
  if (allWeek && daysOfMonth.length === 1) return `monthly on day ${daysOfMonth[0]} ${at}`;
  return schedule.expression;
}

/** ZCronExpression is a schedule in a request body: trimmed, and refused with parseCron's message. */
export const ZCronExpression = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const parsed = parseCron(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  });

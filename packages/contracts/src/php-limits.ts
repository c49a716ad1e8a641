/** TPhpLimitedSetting names the per-site PHP settings a plan bounds. */
export type TPhpLimitedSetting = 'memoryLimitMb' | 'uploadMaxMb' | 'postMaxMb' | 'maxExecutionSeconds';

/** TPlanPhpLimits are the plan's fields that bound its sites' PHP settings. */
export interface TPlanPhpLimits {
  phpMaxMemoryMb: number;
  phpMaxUploadMb: number;
  phpMaxExecSeconds: number;
}

/** TNumberRange is an inclusive [min, max] range. */
export interface TNumberRange {
  min: number;
  max: number;
}

/**
 * PHP_SETTING_RULES is the one rule for a site's PHP settings against its plan: the plan field that caps each
 * setting, the smallest value PHP is ever given, and the value a site gets when it sets none (`post_max_size`
 * falls back to the site's upload size first). The API refuses a value above the cap (phpSettingOverPlan), the
 * reconciler turns a site's settings into the values PHP gets (effectivePhpSettings), and the runtime clamps
 * to the same ranges (phpSettingRanges, clampToRange) when it writes the pool config.
 */
export const PHP_SETTING_RULES = {
  memoryLimitMb: { cap: 'phpMaxMemoryMb', min: 16, fallback: 128, unit: 'MB' },
  uploadMaxMb: { cap: 'phpMaxUploadMb', min: 1, fallback: 32, unit: 'MB' },
  postMaxMb: { cap: 'phpMaxUploadMb', min: 1, fallback: 32, unit: 'MB' },
  maxExecutionSeconds: { cap: 'phpMaxExecSeconds', min: 1, fallback: 30, unit: 's' },
} as const satisfies Record<
  TPhpLimitedSetting,
  { cap: keyof TPlanPhpLimits; min: number; fallback: number; unit: string }
>;

const SETTINGS = Object.keys(PHP_SETTING_RULES) as TPhpLimitedSetting[];

/** phpSettingRanges are the inclusive ranges a plan allows for each PHP setting. */
export function phpSettingRanges(plan: TPlanPhpLimits): Record<TPhpLimitedSetting, TNumberRange> {
  const range = (setting: TPhpLimitedSetting): TNumberRange => ({
    min: PHP_SETTING_RULES[setting].min,
    max: plan[PHP_SETTING_RULES[setting].cap],
  });
  return {
    memoryLimitMb: range('memoryLimitMb'),
    uploadMaxMb: range('uploadMaxMb'),
    postMaxMb: range('postMaxMb'),
    maxExecutionSeconds: range('maxExecutionSeconds'),
  };
}

/** clampToRange brings a value into an inclusive range, as a whole number (PHP's ini values are integers). */
export function clampToRange(value: number, range: TNumberRange): number {
  return Math.round(Math.min(range.max, Math.max(range.min, value)));
}

/**
 * phpSettingOverPlan finds the first of a site's PHP settings above its plan's cap (null when all fit), with
 * the cap and its unit, so the caller can say what to change.
 */
export function phpSettingOverPlan(
  plan: TPlanPhpLimits,
  php: Partial<Record<TPhpLimitedSetting, number>>,
): { setting: TPhpLimitedSetting; max: number; unit: string } | null {
  const ranges = phpSettingRanges(plan);
  for (const setting of SETTINGS) {
    const value = php[setting];
    if (value !== undefined && value > ranges[setting].max)
      return { setting, max: ranges[setting].max, unit: PHP_SETTING_RULES[setting].unit };
  }
  return null;
}

/** effectivePhpSettings are the values a site's PHP runs with: its own settings or the fallbacks, within the plan's ranges. */
export function effectivePhpSettings(
  plan: TPlanPhpLimits,
  php: Partial<Record<TPhpLimitedSetting, number>>,
): Record<TPhpLimitedSetting, number> {
  const ranges = phpSettingRanges(plan);
  const valueOf = (setting: TPhpLimitedSetting, own: number | undefined) =>
    clampToRange(own ?? PHP_SETTING_RULES[setting].fallback, ranges[setting]);
  return {
    memoryLimitMb: valueOf('memoryLimitMb', php.memoryLimitMb),
    uploadMaxMb: valueOf('uploadMaxMb', php.uploadMaxMb),
    postMaxMb: valueOf('postMaxMb', php.postMaxMb ?? php.uploadMaxMb),
    maxExecutionSeconds: valueOf('maxExecutionSeconds', php.maxExecutionSeconds),
  };
}

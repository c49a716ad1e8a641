import { phpSettingOverPlan, type TPlan, type TSiteRuntime, type TSiteSettings } from '@berth/contracts';
import { AppError } from '../errors.js';

/** PlanLimits are the parts of a plan (toPlan) that bound a site's runtime and PHP settings. */
export type PlanLimits = Pick<TPlan, 'phpVersions' | 'phpMaxMemoryMb' | 'phpMaxUploadMb' | 'phpMaxExecSeconds'>;

/**
 * checkPlanAllows is the one rule for what a plan lets a site run: a PHP version the plan lists, and PHP
 * settings within its caps (PHP_SETTING_RULES in @berth/contracts). It refuses anything else, naming the field
 * and the bound so the user knows what to change.
 */
export function checkPlanAllows(plan: PlanLimits, runtime: TSiteRuntime, settings: TSiteSettings): void {
  if (runtime.kind === 'php' && !plan.phpVersions.includes(runtime.version)) {
    throw new AppError(
      'VERSION_NOT_ALLOWED',
      `The plan allows PHP ${plan.phpVersions.join(', ')}; PHP ${runtime.version} is not included.`,
      {
        details: {
          issues: [
            { in: 'body', path: ['runtime', 'version'], message: `Pick one of ${plan.phpVersions.join(', ')}.` },
          ],
        },
      },
    );
  }
  const over = settings.php ? phpSettingOverPlan(plan, settings.php) : null;
  if (over) {
    throw new AppError(
      'SETTING_OUT_OF_BOUNDS',
      `settings.php.${over.setting} is at most ${over.max} ${over.unit} on this plan.`,
      {
        details: {
          issues: [
            { in: 'body', path: ['settings', 'php', over.setting], message: `At most ${over.max} ${over.unit}.` },
          ],
        },
      },
    );
  }
}

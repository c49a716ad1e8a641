import type { TRuntimeChoice, TSiteSettings } from '@berth/contracts';
import { AppError } from '../errors.js';

export interface PlanLimits {
  phpVersions: string[];
  phpMaxMemoryMb: number;
  phpMaxUploadMb: number;
  phpMaxExecSeconds: number;
}

/**
 * checkPlanAllows refuses a runtime or PHP settings outside the tenant's plan, naming the field and the
 * bound so the user knows what to change.
 */
export function checkPlanAllows(plan: PlanLimits, runtime: TRuntimeChoice, settings: TSiteSettings): void {
  if (runtime.kind === 'php' && !plan.phpVersions.includes(runtime.version)) {
    throw new AppError('VERSION_NOT_ALLOWED', `The plan allows PHP ${plan.phpVersions.join(', ')}; PHP ${runtime.version} is not included.`, {
      details: { issues: [{ in: 'body', path: ['runtime', 'version'], message: `Pick one of ${plan.phpVersions.join(', ')}.` }] },
    });
  }
  const php = settings.php;
  if (!php) return;
  const bounds: [keyof NonNullable<TSiteSettings['php']>, number | undefined, number, string][] = [
    ['memoryLimitMb', php.memoryLimitMb, plan.phpMaxMemoryMb, 'MB'],
    ['uploadMaxMb', php.uploadMaxMb, plan.phpMaxUploadMb, 'MB'],
    ['postMaxMb', php.postMaxMb, plan.phpMaxUploadMb, 'MB'],
    ['maxExecutionSeconds', php.maxExecutionSeconds, plan.phpMaxExecSeconds, 's'],
  ];
  for (const [field, value, max, unit] of bounds) {
    if (value !== undefined && value > max) {
      throw new AppError('SETTING_OUT_OF_BOUNDS', `settings.php.${field} is at most ${max} ${unit} on this plan.`, {
        details: { issues: [{ in: 'body', path: ['settings', 'php', field], message: `At most ${max} ${unit}.` }] },
      });
    }
  }
}

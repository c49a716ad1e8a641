import { describe, expect, it } from 'vitest';
import { effectivePhpSettings, phpSettingOverPlan, phpSettingRanges } from './php-limits.js';

const plan = { phpMaxMemoryMb: 256, phpMaxUploadMb: 64, phpMaxExecSeconds: 60 };

describe('PHP settings against the plan', () => {
  it('names the first setting above its plan cap, with the cap and its unit', () => {
    expect(phpSettingOverPlan(plan, { memoryLimitMb: 256, uploadMaxMb: 64, maxExecutionSeconds: 60 })).toBeNull();
    expect(phpSettingOverPlan(plan, { postMaxMb: 65 })).toEqual({ setting: 'postMaxMb', max: 64, unit: 'MB' });
    expect(phpSettingOverPlan(plan, { memoryLimitMb: 100, maxExecutionSeconds: 61 })).toEqual({
      setting: 'maxExecutionSeconds',
      max: 60,
      unit: 's',
    });
  });

  it('gives PHP the site’s values within the plan, the fallbacks when unset, and post_max_size the upload size first', () => {
    expect(effectivePhpSettings(plan, {})).toEqual({
      memoryLimitMb: 128,
      uploadMaxMb: 32,
      postMaxMb: 32,
      maxExecutionSeconds: 30,
    });
    expect(effectivePhpSettings(plan, { memoryLimitMb: 1024, uploadMaxMb: 48 })).toEqual({
      memoryLimitMb: 256,
      uploadMaxMb: 48,
      postMaxMb: 48,
      maxExecutionSeconds: 30,
    });
    expect(effectivePhpSettings({ ...plan, phpMaxMemoryMb: 64 }, {}).memoryLimitMb).toBe(64);
  });

  it('bounds each setting from its floor to its plan cap', () => {
    expect(phpSettingRanges(plan)).toEqual({
      memoryLimitMb: { min: 16, max: 256 },
      uploadMaxMb: { min: 1, max: 64 },
      postMaxMb: { min: 1, max: 64 },
      maxExecutionSeconds: { min: 1, max: 60 },
    });
  });
});

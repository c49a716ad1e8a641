import { DEFAULT_THEME, mergeMantineTheme } from '@mantine/core';
import { describe, expect, it } from 'vitest';
import { contrastRatio, cssVariablesResolver, theme } from './theme';

const resolved = mergeMantineTheme(DEFAULT_THEME, theme);
const { light } = cssVariablesResolver(resolved);
const colors = Object.keys(resolved.colors).filter((name) => name !== 'dark');

describe('console theme contrast (WCAG AA, 4.5:1)', () => {
  it('white text on the primary colour passes in both schemes', () => {
    const primary = resolved.colors[resolved.primaryColor]!;
    const shades = resolved.primaryShade as { light: number; dark: number };
    expect(contrastRatio(resolved.white, primary[shades.light]!)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(resolved.white, primary[shades.dark]!)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(colors)('%s: light badges, outline buttons and coloured text pass in the light scheme', (name) => {
    const shades = resolved.colors[name]!;
    expect(contrastRatio(light[`--mantine-color-${name}-light-color`]!, shades[1])).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(light[`--mantine-color-${name}-outline`]!, resolved.white)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(light[`--mantine-color-${name}-text`]!, resolved.colors.gray[0])).toBeGreaterThanOrEqual(4.5);
  });

  it('leaves colours that already pass as they are', () => {
    expect(light['--mantine-color-blue-outline']).toBe(resolved.colors.blue[8]);
  });
});

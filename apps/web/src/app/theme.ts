import { createTheme, darken, luminance, type CSSVariablesResolver } from '@mantine/core';

/** MIN_CONTRAST is WCAG AA for body text (4.5:1), with a little room for rounding. */
const MIN_CONTRAST = 4.6;

/**
 * theme uses darker shades of the primary colour than Mantine's default so white button text and links
 * reach WCAG AA contrast (4.5:1): shade 8 in both schemes (in dark, shade 6 under white text is 3.5:1).
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 8 },
  autoContrast: true,
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  defaultRadius: 'md',
  components: {
    // Mantine's close button is an icon only; screen readers need its name.
    // (Plain objects, not Modal.extend: importing Modal here would pull it into the first-load bundle.)
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    // A table wider than the screen scrolls sideways; keyboard users reach that scroll by focusing it.
    TableScrollContainer: { defaultProps: { scrollAreaProps: { viewportProps: { tabIndex: 0 } } } },
  },
});

/** contrastRatio is the WCAG contrast ratio of two colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** readableOn darkens `color` in small steps until it reaches MIN_CONTRAST on `background`. */
export function readableOn(color: string, background: string): string {
  let result = color;
  for (let step = 1; step <= 12 && contrastRatio(result, background) < MIN_CONTRAST; step++) {
    result = darken(color, step * 0.05);
  }
  return result;
}

/**
 * cssVariablesResolver darkens, in the light scheme only, the text colours Mantine derives from each palette
 * where they fall short of AA: a light badge or subtle button's text (shade 9 on shade 1, 3.8:1 for green),
 * an outline button's text (shade 8 on white, 3.6:1 for orange), and coloured text such as `c="red"` (shade 8,
 * 4.5:1 on white but less on a striped row). The dark scheme's shades already pass.
 */
export const cssVariablesResolver: CSSVariablesResolver = (resolved) => {
  const white = resolved.white;
  const stripe = resolved.colors.gray[0];
  const light: Record<string, string> = {};
  for (const [name, shades] of Object.entries(resolved.colors)) {
    if (name === 'dark') continue;
    light[`--mantine-color-${name}-light-color`] = readableOn(shades[9], shades[2]);
    light[`--mantine-color-${name}-outline`] = readableOn(shades[8], white);
    light[`--mantine-color-${name}-text`] = readableOn(shades[8], stripe);
  }
  return { variables: {}, light, dark: {} };
};

import { createTheme } from '@mantine/core';

/**
 * theme uses darker shades of the primary colour than Mantine's default so white button text and links
 * reach WCAG AA contrast (4.5:1) on white.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 6 },
  autoContrast: true,
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  defaultRadius: 'md',
  components: {
    // Mantine's close button is an icon only; screen readers need its name.
    // (A plain object, not Modal.extend: importing Modal here would pull it into the first-load bundle.)
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
  },
});

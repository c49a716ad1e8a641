// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderWithProviders } from '../test/render';
import { Hostname } from './Hostname';

afterEach(cleanup);

describe('Hostname', () => {
  it('keeps the name on one line, cut with an ellipsis, with the full name as its title', () => {
    renderWithProviders(<Hostname hostname="shop1.test.example.com" />);
    const name = screen.getByText('shop1.test.example.com');
    expect(name.getAttribute('title')).toBe('shop1.test.example.com');
    expect(name.style.whiteSpace).toBe('nowrap');
    expect(name.style.wordBreak).toBe('keep-all');
    expect(name.getAttribute('data-truncate')).toBe('end');
  });
});

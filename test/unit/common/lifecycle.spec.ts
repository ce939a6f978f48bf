import { ThemeStatus } from '../../../src/modules/themes/theme.entity';
import { themeLifecycle } from '../../../src/modules/themes/theme.lifecycle';

describe('themeLifecycle', () => {
  const fail = (message: string) => new Error(message);

  it.each([
    [ThemeStatus.PROPOSED, ThemeStatus.APPROVED],
    [ThemeStatus.PROPOSED, ThemeStatus.REJECTED],
    [ThemeStatus.APPROVED, ThemeStatus.USED],
    [ThemeStatus.USED, ThemeStatus.USED],
  ])('allows %s → %s', (from, to) => {
    expect(() => themeLifecycle.assertTransition(from, to, fail)).not.toThrow();
  });

  it.each([
    [ThemeStatus.PROPOSED, ThemeStatus.USED, /can only become APPROVED or REJECTED/],
    [ThemeStatus.APPROVED, ThemeStatus.APPROVED, /can only become USED/],
    [ThemeStatus.REJECTED, ThemeStatus.APPROVED, /is final/],
    [ThemeStatus.USED, ThemeStatus.PROPOSED, /can only become USED/],
  ])('refuses %s → %s, saying what is allowed', (from, to, message) => {
    expect(() => themeLifecycle.assertTransition(from, to, fail)).toThrow(message);
  });
});

import { Lifecycle } from '../../common/lifecycle';
import { ThemeStatus } from './theme.entity';

/** A theme stays USED once a session is scheduled on it; it may be scheduled again. */
export const themeLifecycle = new Lifecycle<ThemeStatus>('theme', {
  [ThemeStatus.PROPOSED]: [ThemeStatus.APPROVED, ThemeStatus.REJECTED],
  [ThemeStatus.APPROVED]: [ThemeStatus.USED],
  [ThemeStatus.REJECTED]: [],
  [ThemeStatus.USED]: [ThemeStatus.USED],
});

import { ConfigError, loadConfig } from '../../../src/config/config';

describe('notification settings', () => {
  const base = { DATABASE_URL: 'sqlite::memory:' };

  it('poll every second, run the due-date job every minute, DUE_SOON 7 days ahead by default', () => {
    expect(loadConfig(base).notifications).toEqual({ pollMs: 1000, dueJobMs: 60_000, dueSoonDays: 7 });
  });

  it('reads NOTIFY_POLL_MS, NOTIFY_DUE_JOB_MS and NOTIFY_DUE_SOON_DAYS', () => {
    expect(loadConfig({ ...base, NOTIFY_POLL_MS: '250', NOTIFY_DUE_JOB_MS: '5000', NOTIFY_DUE_SOON_DAYS: '3' }).notifications).toEqual({ pollMs: 250, dueJobMs: 5000, dueSoonDays: 3 });
  });

  it.each([
    ['NOTIFY_POLL_MS', '10'],
    ['NOTIFY_POLL_MS', 'often'],
    ['NOTIFY_DUE_JOB_MS', '1.5'],
    ['NOTIFY_DUE_SOON_DAYS', '-1'],
  ])('refuses %s=%s', (variable, value) => {
    expect(() => loadConfig({ ...base, [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });
});

import { acceptsCheckInCode, checkInCodeAt, CODE_PERIOD_MS } from '../../../src/modules/attendance/check-in-code';

const KEY = Buffer.from('a key for the tests of check-in codes');
const T = Date.parse('2026-12-07T08:59:10.000Z');

describe('check-in codes', () => {
  it('are six digits that change with the period and differ between sessions', () => {
    const now = checkInCodeAt(KEY, 7, T);
    expect(now.code).toMatch(/^\d{6}$/);
    expect(now.rotatesAt).toBe(Math.ceil(T / CODE_PERIOD_MS) * CODE_PERIOD_MS);
    expect(now.expiresAt).toBe(now.rotatesAt + CODE_PERIOD_MS);
    expect(checkInCodeAt(KEY, 7, now.rotatesAt - 1).code).toBe(now.code);
    const codes = new Set(Array.from({ length: 20 }, (_, i) => checkInCodeAt(KEY, 7, T + i * CODE_PERIOD_MS).code));
    expect(codes.size).toBeGreaterThan(15);
    expect(checkInCodeAt(KEY, 8, T).code).not.toBe(now.code);
    expect(checkInCodeAt(Buffer.from('another key'), 7, T).code).not.toBe(now.code);
  });

  it('accept a code until it expires, and nothing else', () => {
    const { code, expiresAt } = checkInCodeAt(KEY, 7, T);
    expect(acceptsCheckInCode(KEY, 7, code, T)).toBe(true);
    expect(acceptsCheckInCode(KEY, 7, code, expiresAt - 1)).toBe(true);
    expect(acceptsCheckInCode(KEY, 7, code, expiresAt)).toBe(false);
    expect(acceptsCheckInCode(KEY, 8, code, T)).toBe(false);
    for (const bad of ['', '12345', '1234567', 'abcdef', ` ${code}`]) expect(acceptsCheckInCode(KEY, 7, bad, T)).toBe(false);
  });
});

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The hall's check-in code: six digits that change every CODE_PERIOD_MS and are each accepted for two periods, the
 * one shown and the next (so a phone typing it as it turns still gets in). A photo of the screen sent outside the
 * hall is stale within a minute. Pure: a keyed hash of the session and the period, nothing stored.
 */
export const CODE_PERIOD_MS = 30_000;
export const CHECK_IN_CODE = /^\d{6}$/;

export interface CheckInCodeReading {
  code: string;
  /** When the next code replaces it on the screen. */
  rotatesAt: number;
  /** When it stops being accepted. */
  expiresAt: number;
}

function codeOf(key: Buffer, sessionId: number, period: number): string {
  const digest = createHmac('sha256', key).update(`${sessionId}:${period}`).digest();
  return String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}

export function checkInCodeAt(key: Buffer, sessionId: number, now: number): CheckInCodeReading {
  const period = Math.floor(now / CODE_PERIOD_MS);
  return { code: codeOf(key, sessionId, period), rotatesAt: (period + 1) * CODE_PERIOD_MS, expiresAt: (period + 2) * CODE_PERIOD_MS };
}

/** True for the code of the current period or of the one before it. */
export function acceptsCheckInCode(key: Buffer, sessionId: number, code: string, now: number): boolean {
  if (!CHECK_IN_CODE.test(code)) return false;
  const period = Math.floor(now / CODE_PERIOD_MS);
  const given = Buffer.from(code);
  return [period, period - 1].some((p) => timingSafeEqual(Buffer.from(codeOf(key, sessionId, p)), given));
}

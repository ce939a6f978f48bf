
/*
 * How the reports write instants, durations and the domain's words. Chengde keeps Beijing time (UTC+8, no summer
 * time), so an instant is shifted by eight hours rather than formatted through the host's time zone: the same
 * report prints the same on any server.
 */

const BEIJING_OFFSET_MS = 8 * 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');

function beijing(at: Date | number): Date {
  return new Date(new Date(at).getTime() + BEIJING_OFFSET_MS);
}

/** 2021-09-24 */
export function formatDate(at: Date | number): string {
  const d = beijing(at);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** 2021-09-24 15:30 */
export function formatMinute(at: Date | number): string {
  const d = beijing(at);
  return `${formatDate(at)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** 15:30:05 */
export function formatClock(at: Date | number): string {
  const d = beijing(at);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** 4分05秒; whole seconds, rounded down. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}分${pad(s % 60)}秒` : `${s}秒`;
}

export { GRADE_ZH, INTERRUPTION_ZH, VERDICT_ZH } from '../../common/labels-zh';

export const TONE_ZH: Record<string, string> = { PRAISE: '肯定', CRITICISM: '批评', DIRECTIVE: '指示', SUGGESTION: '建议' };

export const SPEECH_STATUS_ZH: Record<string, string> = {
  UPCOMING: '未发言',
  SPEAKING: '发言中',
  PAUSED: '暂停',
  FINISHED: '已发言',
  CUT_OFF: '被叫停',
  WITHDRAWN: '取消',
};

export const EVALUATION_STATUS_ZH: Record<string, string> = { OPEN: '投票中', CLOSED: '已结束，未公布', PUBLISHED: '已公布' };

/** 0.1234 → 12.3% */
export function formatShare(share: number | null): string {
  return share === null ? '—' : `${(share * 100).toFixed(1)}%`;
}

/** Mean points as printed: four decimals, as the tally rounds them. */
export function formatScore(score: number): string {
  return score.toFixed(4);
}

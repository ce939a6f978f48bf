/**
 * The Chinese names the organisation department uses for the system's codes, and its calendar date, shared by the
 * PDF reports, the exports and the demo world, so that a grade or a verdict reads the same on paper, in Excel and on
 * screen.
 */
export const GRADE_ZH: Readonly<Record<string, string>> = { EXCELLENT: '优秀', GOOD: '良好', AVERAGE: '一般', POOR: '较差' };

export const VERDICT_ZH: Readonly<Record<string, string>> = { VERIFIED: '属实', PARTIAL: '部分属实', NOT_FULFILLED: '未落实', FALSIFIED: '弄虚作假' };

export const INTERRUPTION_ZH: Readonly<Record<string, string>> = { EMPTY_TALK: '虚话套话', OFF_TOPIC: '偏离主题', OVERTIME: '超时', OTHER: '其他' };

export const ACTION_ITEM_ZH: Readonly<Record<string, string>> = { OPEN: '办理中', DONE: '已办结', OVERDUE: '已逾期' };

export const DECISION_ZH: Readonly<Record<string, string>> = { COMMENDATION: '评先评优', ACCOUNTABILITY: '追究责任', NO_ACTION: '不予处理' };

/** The calendar date in Chengde (UTC+8, no summer time), as the organisation department writes it: 2026-12-07. */
export function beijingDate(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

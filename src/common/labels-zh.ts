/**
 * The Chinese names the organisation department uses for the system's codes, shared by the PDF reports, the
 * exports and the demo world, so that a grade or a verdict reads the same on paper, in Excel and on screen.
 */
export const GRADE_ZH: Readonly<Record<string, string>> = { EXCELLENT: '优秀', GOOD: '良好', AVERAGE: '一般', POOR: '较差' };

export const VERDICT_ZH: Readonly<Record<string, string>> = { VERIFIED: '属实', PARTIAL: '部分属实', NOT_FULFILLED: '未落实', FALSIFIED: '弄虚作假' };

export const INTERRUPTION_ZH: Readonly<Record<string, string>> = { EMPTY_TALK: '虚话套话', OFF_TOPIC: '偏离主题', OVERTIME: '超时', OTHER: '其他' };

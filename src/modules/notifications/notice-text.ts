/**
 * The Chinese wording of each notice, short enough for a phone's list. Dates are as people in Chengde read them
 * (China Standard Time, UTC+8, no daylight saving). No wording names how an audit is carried out: a notice never
 * says "暗访".
 */
const CST_OFFSET_MS = 8 * 3_600_000;
const TITLE_CHARS = 40;

function quoted(title: string): string {
  const chars = [...title.trim()];
  return `「${chars.length <= TITLE_CHARS ? chars.join('') : `${chars.slice(0, TITLE_CHARS - 1).join('')}…`}」`;
}

/** 12月20日, in China Standard Time. */
export function monthDayZh(at: Date): string {
  const local = new Date(at.getTime() + CST_OFFSET_MS);
  return `${local.getUTCMonth() + 1}月${local.getUTCDate()}日`;
}

export type DueSubject = 'commitment' | 'action-item';
const SUBJECT_ZH: Record<DueSubject, string> = { commitment: '承诺', 'action-item': '督办事项' };

export const noticeText = {
  auditAssigned: (what: string, dueAt: Date) => `新的核查任务：${quoted(what)}，${monthDayZh(dueAt)}前提交核查结论`,
  findingPublished: () => '关于你的核查结论已公布',
  dueSoon: (subject: DueSubject, title: string, dueAt: Date) => `${SUBJECT_ZH[subject]}${quoted(title)}将于 ${monthDayZh(dueAt)} 到期`,
  overdue: (subject: DueSubject, title: string) => `${SUBJECT_ZH[subject]}${quoted(title)}已逾期`,
  progressToVerify: (title: string | null) => (title ? `有进度报告待核实：${quoted(title)}` : '有进度报告待核实'),
  responseToDecide: (cadreName: string | null) => (cadreName ? `有申辩待决定：${cadreName}` : '有申辩待决定'),
};

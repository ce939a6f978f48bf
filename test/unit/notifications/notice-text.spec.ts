import { clip } from '../../../src/modules/notifications/notice-store';
import { monthDayZh, noticeText } from '../../../src/modules/notifications/notice-text';

describe('notice wording', () => {
  it('dates in China Standard Time', () => {
    expect(monthDayZh(new Date('2026-12-19T15:59:59.999Z'))).toBe('12月19日');
    expect(monthDayZh(new Date('2026-12-19T16:00:00.000Z'))).toBe('12月20日');
    expect(monthDayZh(new Date('2026-12-31T20:00:00.000Z'))).toBe('1月1日');
  });

  it('says what is due, and when', () => {
    expect(noticeText.dueSoon('commitment', '打造民宿床位', new Date('2026-12-20T02:00:00Z'))).toBe('承诺「打造民宿床位」将于 12月20日 到期');
    expect(noticeText.overdue('action-item', '整改消防隐患')).toBe('督办事项「整改消防隐患」已逾期');
    expect(noticeText.findingPublished()).toBe('关于你的核查结论已公布');
    expect(noticeText.progressToVerify(null)).toBe('有进度报告待核实');
    expect(noticeText.responseToDecide(null)).toBe('有申辩待决定');
    expect(noticeText.auditAssigned('重点民宿村', new Date('2026-12-14T00:00:00Z'))).toBe('新的核查任务：「重点民宿村」，12月14日前提交核查结论');
  });

  it('shortens long titles by characters, not bytes', () => {
    const title = '民'.repeat(60);
    const text = noticeText.overdue('commitment', title);
    expect([...text].length).toBeLessThan(50);
    expect(text).toContain('…」');
    expect(clip('一二三四五', 3)).toBe('一二…');
    expect(clip('一二三', 3)).toBe('一二三');
  });

  it('never names how an audit is carried out', () => {
    const all = [noticeText.auditAssigned('x', new Date()), noticeText.findingPublished(), noticeText.dueSoon('commitment', 'x', new Date()), noticeText.overdue('commitment', 'x')];
    expect(all.join()).not.toMatch(/暗访|明察|UNANNOUNCED/);
  });
});

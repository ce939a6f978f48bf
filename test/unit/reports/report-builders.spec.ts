import { DEFAULT_TALLY_CONFIG } from '../../../src/modules/evaluation/tally';
import { evaluationReport, type EvaluationReportInput, type ResultLine } from '../../../src/modules/reports/evaluation-report';
import { minutesReport } from '../../../src/modules/reports/minutes-report';
import type { ReportBlock, ReportDocument } from '../../../src/modules/reports/report-document';
import { formatDuration, formatMinute } from '../../../src/modules/reports/report-format';
import type { RoomEvent } from '../../../src/modules/room/room-events';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';

const session = { number: 3, title: '第三期 发展民宿经济，助推乡村振兴', theme: '发展民宿经济，助推乡村振兴', startsAt: new Date('2021-10-22T01:00:00Z'), venue: '市委党校报告厅' };
const speakers = new Map([1, 2, 3, 4, 5, 6].map((id) => [id, { order: id, name: `发言人${id}`, region: `县${id}`, position: '县长' }]));
const line = (speechId: number, rank: number, grade: ResultLine['grade'], score: number, droppedByTie = false): ResultLine => ({ speechId, rank, grade, score, excellent: 0, good: 0, average: 0, poor: 0, droppedByTie });
const evaluation = { status: 'PUBLISHED', entitledVoters: 40, ballotsCast: 38, quorum: 27, closeReason: null, closedAt: null, publishedAt: null };
const input = (results: ResultLine[]): EvaluationReportInput => ({ session, speakers, withdrawn: [], evaluation, results, tally: DEFAULT_TALLY_CONFIG, seal: null });

const texts = (doc: ReportDocument) => doc.blocks.flatMap((b: ReportBlock) => (b.kind === 'paragraph' || b.kind === 'heading' ? [b.text] : []));
const table = (doc: ReportDocument, n = 0) => doc.blocks.filter((b): b is Extract<ReportBlock, { kind: 'table' }> => b.kind === 'table')[n];

describe('evaluationReport', () => {
  it('states the quota of the session and that no tie crossed the last excellent place', () => {
    const doc = evaluationReport(input([line(1, 1, 'EXCELLENT', 3.9), line(2, 2, 'EXCELLENT', 3.8), line(3, 3, 'GOOD', 3.1), line(4, 4, 'GOOD', 2.9), line(5, 5, 'AVERAGE', 2), line(6, 6, 'POOR', 1.2)]));
    expect(texts(doc).join('\n')).toContain('本期参加评议 6 人，“优秀”等次至多 2 名（6 ÷ 3 向下取整）');
    expect(texts(doc).join('\n')).toContain('本期没有跨过最后一个“优秀”名次的并列，评为“优秀”的为 2 名。');
    expect(table(doc).rows.map((r) => [r[0], r[1], r[9]])).toEqual([
      ['1', '发言人1', '优秀'],
      ['2', '发言人2', '优秀'],
      ['3', '发言人3', '良好'],
      ['4', '发言人4', '良好'],
      ['5', '发言人5', '一般'],
      ['6', '发言人6', '较差'],
    ]);
  });

  it('names the speakers tied across the boundary, none of them excellent, and the place left empty', () => {
    const doc = evaluationReport(input([line(1, 1, 'EXCELLENT', 3.9), line(2, 2, 'GOOD', 3.5, true), line(3, 2, 'GOOD', 3.5, true), line(4, 4, 'GOOD', 2.9), line(5, 5, 'AVERAGE', 2), line(6, 6, 'POOR', 1.2)]));
    const said = texts(doc).join('\n');
    expect(said).toContain('本期第 2 名由 2 人并列（发言人2、发言人3），并列跨过了最后一个“优秀”名次（第 2 名）');
    expect(said).toContain('空出的“优秀”名额不递补，因此本期评为“优秀”的为 1 名');
    expect(table(doc).rows[1][9]).toBe('良好（并列未评优秀）');
  });

  it('prints a forced close’s reason and whether the quorum was met', () => {
    const doc = evaluationReport({ ...input([line(1, 1, 'GOOD', 3)]), evaluation: { ...evaluation, ballotsCast: 20, closeReason: '暴雨，部分代表未能到场' } });
    const facts = doc.blocks.filter((b): b is Extract<ReportBlock, { kind: 'facts' }> => b.kind === 'facts').flatMap((b) => b.rows);
    expect(facts).toContainEqual(['法定人数', '27 张（未达到）']);
    expect(facts).toContainEqual(['强制结束原因', '暴雨，部分代表未能到场']);
  });
});

describe('minutesReport', () => {
  const at = (s: number) => Date.parse('2021-10-22T01:00:00Z') + s * 1000;
  let seq = 0;
  const ev = (s: number, payload: Record<string, unknown>): RoomEvent => ({ seq: ++seq, at: at(s), actorId: 1, ...payload }) as RoomEvent;
  const events: RoomEvent[] = [
    ev(0, { type: 'LINEUP_SET', entries: [1, 2, 3].map((id) => ({ speechId: id, order: id, cadreId: id, allottedMs: 300_000 })) }),
    ev(1, { type: 'SPEECH_WITHDRAWN', speechId: 3, reason: '因公请假' }),
    ev(2, { type: 'PHASE_CHANGED', from: RoomPhase.SCHEDULED, to: RoomPhase.SPEECHES }),
    ev(10, { type: 'SPEECH_STARTED', speechId: 1, allottedMs: 300_000 }),
    ev(100, { type: 'SPEECH_INTERRUPTED', speechId: 1, reason: 'EMPTY_TALK', note: '请讲具体做法', cutOff: false }),
    ev(340, { type: 'SPEECH_ENDED', speechId: 1, spokenMs: 330_000, overtimeMs: 30_000, cutOff: false }),
    ev(341, { type: 'REVIEW_POSTED', reviewId: 1, speechId: 1, tone: 'CRITICISM', authorName: '市委书记', body: '数字要经得起核查' }),
    ev(342, { type: 'COMMENT_POSTED', commentId: 7, speechId: 1 }),
    ev(343, { type: 'COMMENT_APPROVED', commentId: 7, body: '床位数截至何时？', authorName: '代表甲', speechId: 1, postedAt: at(342) }),
    ev(400, { type: 'SUMMARY_RECORDED', body: '要真抓实干', author: '市长' }),
  ];

  it('reads starts, lengths, overtime, interruptions, withdrawals, 点评, questions and the summary from the log', () => {
    const doc = minutesReport({ sessionId: 1, session, speakers, events, seal: null });
    expect(table(doc, 0).rows[0]).toEqual(['1', '发言人1', '县1', '县长', '09:00:10', '5分00秒', '5分30秒', '30秒', '已发言']);
    expect(table(doc, 0).rows[2].slice(-1)).toEqual(['取消']);
    expect(table(doc, 1).rows).toEqual([['09:01:40', '发言人1', '虚话套话', '请讲具体做法', '提醒']]);
    expect(table(doc, 2).rows).toEqual([['3', '发言人3', '县3', '因公请假']]);
    expect(table(doc, 3).rows).toEqual([['09:05:41', '市委书记', '发言人1', '批评', '数字要经得起核查']]);
    expect(table(doc, 4).rows).toEqual([['09:05:42', '代表甲', '发言人1', '床位数截至何时？']]);
    expect(texts(doc)).toContain('市长（09:06:40）：要真抓实干');
    expect(texts(doc).join('\n')).toContain('尚未封存归档');
  });
});

describe('report-format', () => {
  it('writes Beijing time whatever the host’s zone, and whole seconds', () => {
    expect(formatMinute(new Date('2021-10-22T16:30:00Z'))).toBe('2021-10-23 00:30');
    expect(formatDuration(59_999)).toBe('59秒');
    expect(formatDuration(125_000)).toBe('2分05秒');
  });
});

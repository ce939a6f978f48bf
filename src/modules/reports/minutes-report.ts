import type { RoomEvent } from '../room/room-events';
import { foldRoom } from '../room/room-reducer';
import { initialRoomState } from '../room/room-state';
import { SpeechStatus } from '../sessions/session-enums';
import { sealBlocks, sessionFacts, type ReportSession, type ReportSpeaker } from './evaluation-report';
import type { ReportBlock, ReportDocument, ReportSeal } from './report-document';
import { formatClock, formatDate, formatDuration, INTERRUPTION_ZH, SPEECH_STATUS_ZH, TONE_ZH } from './report-format';

export interface MinutesReportInput {
  sessionId: number;
  session: ReportSession;
  /** By speech id. */
  speakers: ReadonlyMap<number, ReportSpeaker>;
  /** The room's whole log, in seq order: the record the minutes are read from. */
  events: readonly RoomEvent[];
  seal: ReportSeal | null;
}

type Ev<T extends RoomEvent['type']> = Extract<RoomEvent, { type: T }>;
const ofType =
  <T extends RoomEvent['type']>(type: T) =>
  (e: RoomEvent): e is Ev<T> =>
    e.type === type;

/**
 * 活动纪要, read from the room's log alone: the line-up with each speech's start, length and overtime, the
 * interruptions and withdrawals with their reasons, the leaders' 点评, the 总结讲话 and the questions moderation
 * approved. The log is the record (docs/room-log.md), so the minutes say what the room saw, in its order.
 */
export function minutesReport(x: MinutesReportInput): ReportDocument {
  const state = foldRoom(initialRoomState(x.sessionId), x.events);
  const who = (speechId: number | null) => (speechId === null ? '—' : (x.speakers.get(speechId)?.name ?? `发言 ${speechId}`));
  const interruptions = x.events.filter(ofType('SPEECH_INTERRUPTED'));
  const reviews = x.events.filter(ofType('REVIEW_POSTED'));
  const approved = x.events.filter(ofType('COMMENT_APPROVED'));
  const withdrawn = state.speeches.filter((s) => s.status === SpeechStatus.WITHDRAWN);
  const extended = new Map<number, number>();
  for (const e of x.events.filter(ofType('SPEECH_EXTENDED'))) extended.set(e.speechId, (extended.get(e.speechId) ?? 0) + e.extensionMs);

  const blocks: ReportBlock[] = [
    sessionFacts(x.session),
    {
      kind: 'facts',
      rows: [
        ['到会', `${state.attendance.present} / ${state.attendance.expected} 人`],
        ...(state.evaluation ? [['评议', `开始时到会 ${state.evaluation.entitledVoters} 人有投票权，投票 ${state.evaluation.ballotsCast} 张`] as const] : []),
      ],
    },
    { kind: 'heading', text: '一、交流发言' },
    {
      kind: 'table',
      columns: [
        { header: '序号', width: 5, align: 'center' },
        { header: '发言人', width: 8 },
        { header: '单位', width: 11 },
        { header: '职务', width: 13 },
        { header: '开始', width: 8 },
        { header: '限时', width: 7, align: 'right' },
        { header: '用时', width: 8, align: 'right' },
        { header: '超时', width: 7, align: 'right' },
        { header: '情况', width: 7 },
      ],
      rows: state.speeches.map((s) => {
        const sp = x.speakers.get(s.speechId);
        const extra = extended.get(s.speechId);
        return [
          String(s.order),
          sp?.name ?? who(s.speechId),
          sp?.region ?? '',
          sp?.position ?? '',
          s.startedAt === null ? '—' : formatClock(s.startedAt),
          formatDuration(s.allottedMs) + (extra ? `+${formatDuration(extra)}` : ''),
          s.spokenMs === null ? '—' : formatDuration(s.spokenMs),
          s.overtimeMs ? formatDuration(s.overtimeMs) : s.spokenMs === null ? '—' : '无',
          SPEECH_STATUS_ZH[s.status] ?? s.status,
        ];
      }),
      empty: '未排定发言顺序。',
    },
    { kind: 'heading', text: '二、打断与叫停' },
    {
      kind: 'table',
      columns: [
        { header: '时间', width: 8 },
        { header: '发言人', width: 9 },
        { header: '原因', width: 9 },
        { header: '说明', width: 30 },
        { header: '处理', width: 8 },
      ],
      rows: interruptions.map((i) => [formatClock(i.at), who(i.speechId), INTERRUPTION_ZH[i.reason] ?? i.reason, i.note ?? '', i.cutOff ? '叫停' : '提醒']),
      empty: '本期没有打断发言。',
    },
    { kind: 'heading', text: '三、取消的发言' },
    {
      kind: 'table',
      columns: [
        { header: '序号', width: 5, align: 'center' },
        { header: '发言人', width: 9 },
        { header: '单位', width: 9 },
        { header: '原因', width: 35 },
      ],
      rows: withdrawn.map((s) => [String(s.order), who(s.speechId), x.speakers.get(s.speechId)?.region ?? '', s.withdrawnReason ?? '']),
      empty: '本期没有取消的发言。',
    },
    { kind: 'heading', text: '四、领导点评' },
    {
      kind: 'table',
      columns: [
        { header: '时间', width: 8 },
        { header: '点评人', width: 9 },
        { header: '针对', width: 9 },
        { header: '类别', width: 6 },
        { header: '内容', width: 32 },
      ],
      rows: reviews.map((r) => [formatClock(r.at), r.authorName, who(r.speechId), TONE_ZH[r.tone] ?? r.tone, r.body]),
      empty: '本期没有点评。',
    },
    { kind: 'heading', text: '五、总结讲话' },
    state.summary
      ? { kind: 'paragraph', text: `${state.summary.author}（${formatClock(state.summary.at)}）：${state.summary.body}` }
      : { kind: 'paragraph', text: '未记录总结讲话。' },
    { kind: 'heading', text: '六、现场提问（经审核通过）' },
    {
      kind: 'table',
      columns: [
        { header: '时间', width: 8 },
        { header: '提问人', width: 9 },
        { header: '针对', width: 9 },
        { header: '内容', width: 38 },
      ],
      rows: approved.map((c) => [formatClock(c.postedAt), c.authorName, who(c.speechId), c.body]),
      empty: '没有审核通过的提问。',
    },
    ...sealBlocks(x.seal),
  ];
  return { kind: '活动纪要', title: `第${x.session.number}期 活动纪要`, subtitle: [x.session.title, formatDate(x.session.startsAt)], blocks };
}

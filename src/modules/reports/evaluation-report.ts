import type { TallyConfig } from '../evaluation/tally';
import { excellentQuota, Grade } from '../room/results';
import type { ReportBlock, ReportDocument, ReportSeal } from './report-document';
import { EVALUATION_STATUS_ZH, formatDate, formatMinute, formatScore, GRADE_ZH } from './report-format';

/** A speaker as the reports name them: the unit is the one the speech was given for. */
export interface ReportSpeaker {
  order: number;
  name: string;
  region: string;
  position: string;
}

export interface ReportSession {
  number: number;
  title: string;
  theme: string;
  startsAt: Date;
  venue: string;
}

/** A speaker's line of the results, as `EvaluationService.sessionResults` gives it to the caller. */
export interface ResultLine {
  speechId: number;
  rank: number;
  grade: `${Grade}`;
  score: number;
  excellent: number;
  good: number;
  average: number;
  poor: number;
  droppedByTie: boolean;
}

export interface EvaluationReportInput {
  session: ReportSession;
  /** By speech id. */
  speakers: ReadonlyMap<number, ReportSpeaker>;
  /** Speeches taken out before they started: never graded, outside the one-third base. */
  withdrawn: readonly (ReportSpeaker & { reason: string })[];
  evaluation: { status: string; entitledVoters: number; ballotsCast: number; quorum: number; closeReason: string | null; closedAt: Date | null; publishedAt: Date | null };
  /** In rank order, as the tally stored them. */
  results: readonly ResultLine[];
  tally: TallyConfig;
  seal: ReportSeal | null;
}

/** The facts every report of a session opens with. */
export function sessionFacts(session: ReportSession): ReportBlock {
  return {
    kind: 'facts',
    rows: [
      ['期数', `第${session.number}期`],
      ['题目', session.title],
      ['主题', session.theme],
      ['时间', formatMinute(session.startsAt)],
      ['地点', session.venue],
    ],
  };
}

/** The seal of a sealed session, or a line saying there is none yet. */
export function sealBlocks(seal: ReportSeal | null): ReportBlock[] {
  if (!seal) return [{ kind: 'heading', text: '档案封存' }, { kind: 'paragraph', text: '本期活动尚未封存归档：本报告据当前记录生成，不附档案哈希。' }];
  return [
    { kind: 'heading', text: '档案封存' },
    {
      kind: 'paragraph',
      text: `本期活动已于 ${formatMinute(seal.sealedAt)} 封存为档案链第 ${seal.sequence} 号。下列哈希（SHA-256）为封存档案的 contentHash，扫描二维码或逐字比对，可与系统 archiveChain 核验本纸质文本所依据的档案。`,
    },
    { kind: 'seal', seal },
  ];
}

/**
 * 评议结果: every graded speaker with their votes, score, rank and grade; how the one-third rule was applied,
 * including a tie across the last excellent place; the turnout against the quorum and a forced close's reason.
 */
export function evaluationReport(x: EvaluationReportInput): ReportDocument {
  const n = x.results.length;
  const places = excellentQuota(n);
  const speaker = (speechId: number) => x.speakers.get(speechId) ?? { order: 0, name: `发言 ${speechId}`, region: '', position: '' };
  const rows = x.results.map((r) => {
    const s = speaker(r.speechId);
    const grade = GRADE_ZH[r.grade] + (r.droppedByTie ? '（并列未评优秀）' : '');
    return [String(r.rank), s.name, s.region, s.position, String(r.excellent), String(r.good), String(r.average), String(r.poor), formatScore(r.score), grade];
  });
  const e = x.evaluation;
  const turnout: [string, string][] = [
    ['评议状态', EVALUATION_STATUS_ZH[e.status] ?? e.status],
    ['有投票权人数', `${e.entitledVoters} 人（评议开始时到会的参会人员）`],
    ['实际投票', `${e.ballotsCast} 张`],
    ['法定人数', `${e.quorum} 张${e.ballotsCast >= e.quorum ? '（已达到）' : '（未达到）'}`],
  ];
  if (e.closeReason) turnout.push(['强制结束原因', e.closeReason]);
  if (e.closedAt) turnout.push(['结束投票', formatMinute(e.closedAt)]);
  if (e.publishedAt) turnout.push(['公布结果', formatMinute(e.publishedAt)]);

  const blocks: ReportBlock[] = [
    sessionFacts(x.session),
    { kind: 'heading', text: '评议结果' },
    {
      kind: 'table',
      columns: [
        { header: '名次', width: 5, align: 'center' },
        { header: '姓名', width: 8 },
        { header: '单位', width: 13 },
        { header: '职务', width: 12 },
        { header: '优秀', width: 5, align: 'right' },
        { header: '良好', width: 5, align: 'right' },
        { header: '一般', width: 5, align: 'right' },
        { header: '较差', width: 5, align: 'right' },
        { header: '得分', width: 7, align: 'right' },
        { header: '等次', width: 16 },
      ],
      rows,
      empty: '没有参加评议的发言。',
    },
    { kind: 'heading', text: '“优秀”不超过三分之一' },
    ...oneThirdRule(x, n, places).map((text): ReportBlock => ({ kind: 'paragraph', text })),
    { kind: 'heading', text: '投票情况' },
    { kind: 'facts', rows: turnout },
  ];
  if (x.withdrawn.length) {
    blocks.push(
      { kind: 'heading', text: '取消的发言' },
      {
        kind: 'table',
        columns: [
          { header: '序号', width: 5, align: 'center' },
          { header: '姓名', width: 9 },
          { header: '单位', width: 10 },
          { header: '原因', width: 30 },
        ],
        rows: x.withdrawn.map((w) => [String(w.order), w.name, w.region, w.reason]),
        empty: '',
      },
      { kind: 'paragraph', text: '取消的发言不参加评议，不计入三分之一的基数，也不排名次。' },
    );
  }
  blocks.push(...sealBlocks(x.seal));
  return { kind: '评议结果', title: `第${x.session.number}期 民主评议结果`, subtitle: [x.session.title, formatDate(x.session.startsAt)], blocks };
}

/** The rule as the tally (evaluation/tally.ts) applies it, and what it did in this session. */
function oneThirdRule(x: EvaluationReportInput, n: number, places: number): string[] {
  const w = x.tally.weights;
  const excellent = x.results.filter((r) => r.grade === Grade.EXCELLENT).length;
  const lines = [
    `每张选票评为“优秀”的人数不超过该票所评人数的三分之一（3 × 优秀 ≤ 所评人数），超过的选票不予接受。`,
    `得分为所得票数的平均分（优秀 ${w.EXCELLENT} 分、良好 ${w.GOOD} 分、一般 ${w.AVERAGE} 分、较差 ${w.POOR} 分），保留四位小数，无人评分的计 0 分。名次依次按得分高、“优秀”票多、“较差”票少排列，三项都相同的名次并列。`,
    `本期参加评议 ${n} 人，“优秀”等次至多 ${places} 名（${n} ÷ 3 向下取整），按名次取前 ${places} 名；其余按得分评定：${x.tally.thresholds.good} 分及以上为良好，${x.tally.thresholds.average} 分及以上为一般，以下为较差。`,
  ];
  const dropped = x.results.filter((r) => r.droppedByTie);
  if (dropped.length) {
    const names = dropped.map((r) => x.speakers.get(r.speechId)?.name ?? `发言 ${r.speechId}`).join('、');
    lines.push(
      `本期第 ${dropped[0].rank} 名由 ${dropped.length} 人并列（${names}），并列跨过了最后一个“优秀”名次（第 ${places} 名）。按规则，并列者一律不评为“优秀”，按得分评定等次（至多良好），空出的“优秀”名额不递补，因此本期评为“优秀”的为 ${excellent} 名。`,
    );
  } else {
    lines.push(`本期没有跨过最后一个“优秀”名次的并列，评为“优秀”的为 ${excellent} 名。`);
  }
  return lines;
}

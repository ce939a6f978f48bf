import { commitmentStatusOf } from '../audit/consequences';
import type { CadreDossier } from '../dossier/dossier.types';
import type { ReportBlock, ReportDocument, ReportSeal } from './report-document';
import { ACTION_ITEM_ZH, DECISION_ZH } from '../../common/labels-zh';
import { formatDate, formatDuration, formatScore, formatShare, GRADE_ZH, SPEECH_STATUS_ZH, TONE_ZH, VERDICT_ZH } from './report-format';

export interface DossierReportInput {
  dossier: CadreDossier;
  region: string;
  /** Every session the dossier cites, by id. */
  sessions: ReadonlyMap<number, { number: number; title: string; startsAt: Date }>;
  /** The latest archive of each sealed session it cites, by session id. */
  seals: ReadonlyMap<number, ReportSeal>;
  /** For the commitments' derived status (OPEN until due, DUE after). */
  now: Date;
  /** The cadre's answer (申辩) to each finding that has one, by finding id. */
  responses: ReadonlyMap<number, { body: string; respondedAt: Date }>;
  /** The action items the cadre owns, with their derived status and verified progress (followup-status.ts). */
  actionItems: readonly { title: string; dueAt: Date; status: string; progress: number }[];
}

const COMMITMENT_ZH: Record<string, string> = { OPEN: '未到期', DUE: '已到期待核查', FULFILLED: '已兑现', PARTIAL: '部分兑现', MISSED: '未兑现' };
const FLAG_ZH: Record<string, string> = { COMMENDATION_PRIORITY: '优先考虑', ACCOUNTABILITY: '追究责任' };

/**
 * 干部档案: a cadre's speeches, grades and ranks, claims, commitments with their derived status, published
 * findings with the cadre's answers, action items, the decisions taken and the flags that follow — what
 * `cadreDossier` gathers — and the hash of every sealed session it cites.
 */
export function dossierReport(x: DossierReportInput): ReportDocument {
  const d = x.dossier;
  const session = (id: number) => x.sessions.get(id);
  const label = (id: number) => (session(id) ? `第${session(id)!.number}期` : `会议 ${id}`);
  const cited = [...new Set([...d.speeches.map((s) => s.sessionId), ...d.grades.map((g) => g.session.id)])].sort(
    (a, b) => (session(a)?.startsAt.getTime() ?? 0) - (session(b)?.startsAt.getTime() ?? 0),
  );
  const now = x.now.getTime();
  const blocks: ReportBlock[] = [
    {
      kind: 'facts',
      rows: [
        ['姓名', d.cadre.name],
        ['单位', x.region],
        ['职务', d.cadre.position],
        ['发言', `${d.speeches.length} 次`],
        ['承诺兑现率', formatShare(d.fulfilmentRate)],
      ],
    },
    { kind: 'heading', text: '一、发言记录' },
    {
      kind: 'table',
      columns: [
        { header: '期数', width: 6 },
        { header: '日期', width: 9 },
        { header: '题目', width: 26 },
        { header: '用时', width: 8, align: 'right' },
        { header: '超时', width: 7, align: 'right' },
        { header: '情况', width: 8 },
      ],
      rows: d.speeches.map((s) => [
        label(s.sessionId),
        session(s.sessionId) ? formatDate(session(s.sessionId)!.startsAt) : '',
        session(s.sessionId)?.title ?? '',
        s.spokenMs === null ? '—' : formatDuration(s.spokenMs),
        s.overtimeMs ? formatDuration(s.overtimeMs) : s.spokenMs === null ? '—' : '无',
        (SPEECH_STATUS_ZH[s.status] ?? s.status) + (s.withdrawnReason ? `：${s.withdrawnReason}` : ''),
      ]),
      empty: '没有发言记录。',
    },
    { kind: 'heading', text: '二、评议等次与名次' },
    {
      kind: 'table',
      columns: [
        { header: '期数', width: 6 },
        { header: '日期', width: 9 },
        { header: '等次', width: 7 },
        { header: '名次', width: 6, align: 'center' },
        { header: '得分', width: 8, align: 'right' },
        { header: '结果', width: 8 },
      ],
      rows: d.grades.map((g) => [label(g.session.id), formatDate(g.session.startsAt), GRADE_ZH[g.grade], String(g.rank), formatScore(g.score), g.published ? '已公布' : '未公布']),
      empty: '尚无评议结果。',
    },
    { kind: 'heading', text: '三、领导点评' },
    {
      kind: 'table',
      columns: [
        { header: '期数', width: 6 },
        { header: '点评人', width: 8 },
        { header: '类别', width: 5 },
        { header: '内容', width: 40 },
      ],
      rows: d.reviews.map((r) => [label(r.sessionId), r.authorName, TONE_ZH[r.tone] ?? r.tone, r.body]),
      empty: '没有点评。',
    },
    { kind: 'heading', text: '四、晒成绩（报告的数据）' },
    {
      kind: 'table',
      columns: [
        { header: '期数', width: 6 },
        { header: '指标', width: 18 },
        { header: '数值', width: 12, align: 'right' },
        { header: '截至', width: 9 },
        { header: '核查', width: 8 },
      ],
      rows: d.claims.map((c) => [label(c.sessionId), c.indicator, `${c.note ?? ''}${c.value}${c.unit}`, formatDate(c.asOf), c.latestVerdict ? (VERDICT_ZH[c.latestVerdict] ?? c.latestVerdict) : '未核查']),
      empty: '没有报告的数据。',
    },
    { kind: 'heading', text: '五、承诺事项' },
    {
      kind: 'table',
      columns: [
        { header: '期数', width: 6 },
        { header: '事项', width: 14 },
        { header: '目标', width: 18 },
        { header: '期限', width: 9 },
        { header: '状态', width: 9 },
      ],
      rows: d.commitments.map((c) => [label(c.sessionId), c.title, c.target, formatDate(c.dueAt), COMMITMENT_ZH[commitmentStatusOf(c, now)]]),
      empty: '没有承诺事项。',
    },
    { kind: 'heading', text: '六、核查结论（已发布）与申辩' },
    {
      kind: 'table',
      columns: [
        { header: '发布日期', width: 9 },
        { header: '结论', width: 8 },
        { header: '情况', width: 24 },
        { header: '申辩', width: 16 },
      ],
      rows: d.findings.map((f) => {
        const answer = x.responses.get(f.id);
        return [f.publishedAt ? formatDate(f.publishedAt) : '', VERDICT_ZH[f.verdict] ?? f.verdict, f.summary, answer ? `${formatDate(answer.respondedAt)}：${answer.body}` : '—'];
      }),
      empty: '没有已发布的核查结论。',
    },
    { kind: 'heading', text: '七、督办事项' },
    {
      kind: 'table',
      columns: [
        { header: '事项', width: 26 },
        { header: '期限', width: 9 },
        { header: '状态', width: 7 },
        { header: '已核实进度', width: 9, align: 'right' },
      ],
      rows: x.actionItems.map((i) => [i.title, formatDate(i.dueAt), ACTION_ITEM_ZH[i.status] ?? i.status, `${i.progress}%`]),
      empty: '没有督办事项。',
    },
    { kind: 'heading', text: '八、处理决定' },
    {
      kind: 'table',
      columns: [
        { header: '日期', width: 9 },
        { header: '决定', width: 8 },
        { header: '理由', width: 30 },
        { header: '依据', width: 12 },
      ],
      rows: d.decisions.map((dc) => {
        const finding = d.findings.find((f) => f.id === dc.findingId);
        const basis = [finding?.publishedAt ? `${formatDate(finding.publishedAt)}核查结论` : null, dc.sessionId !== null ? `${label(dc.sessionId)}评议` : null].filter(Boolean).join('；');
        return [formatDate(dc.decidedAt), DECISION_ZH[dc.kind] ?? dc.kind, dc.reason, basis];
      }),
      empty: '没有处理决定。',
    },
    { kind: 'heading', text: '九、运用结果（系统依规则提示）' },
    {
      kind: 'table',
      columns: [
        { header: '类别', width: 8 },
        { header: '日期', width: 9 },
        { header: '依据', width: 40 },
      ],
      rows: d.flags.map((f) => [FLAG_ZH[f.kind] ?? f.kind, formatDate(f.at), f.reason]),
      empty: '没有需要运用的结果。',
    },
    { kind: 'heading', text: '十、所依据的封存档案' },
  ];
  const sealed = cited.filter((id) => x.seals.has(id));
  if (sealed.length) {
    blocks.push(
      { kind: 'paragraph', text: '下列各期已封存归档；contentHash 为封存档案的 SHA-256，可与系统 archiveChain 逐一核验。' },
      {
        kind: 'table',
        columns: [
          { header: '期数', width: 6 },
          { header: '档案号', width: 6, align: 'center' },
          { header: '封存日期', width: 9 },
          { header: 'contentHash（SHA-256）', width: 46, size: 7 },
        ],
        rows: sealed.map((id) => {
          const s = x.seals.get(id)!;
          return [label(id), String(s.sequence), formatDate(s.sealedAt), s.contentHash];
        }),
        empty: '',
      },
    );
  }
  const open = cited.filter((id) => !x.seals.has(id));
  blocks.push({ kind: 'paragraph', text: open.length ? `尚未封存的：${open.map(label).join('、')}，其内容据当前记录。` : cited.length ? '所依据的各期均已封存。' : '没有所依据的会议。' });
  return { kind: '干部档案', title: `干部档案：${d.cadre.name}`, subtitle: [`${x.region} ${d.cadre.position}`], blocks };
}

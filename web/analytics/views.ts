import { h } from '../shared/dom';
import type { Lang } from '../shared/i18n';
import { COLORS, num, pct, tip, TOOLTIP, type Cell, type ChartOption, type Drawing } from './charts';
import {
  Q,
  type CadreRank,
  type DisciplineRow,
  type FulfilmentRow,
  type GradeRow,
  type IndicatorRef,
  type IndicatorValue,
  type RegionRef,
  type Standing,
  type Trends,
  type VerdictRow,
} from './data';
import type { AnalyticsWords } from './words';

/** What a view needs: the words, the API, the filter, and what a click on a region or a cadre does. */
export interface ViewContext {
  lang: Lang;
  w: AnalyticsWords;
  api<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** from/to as instants, themeId, regionId: null when not set. */
  vars: { from: string | null; to: string | null; themeId: string | null; regionId: string | null };
  regionId: string | null;
  pickRegion(regionId: string): void;
  dossierUrl(cadreId: string): string;
  openDossier(cadreId: string): void;
}

/** A view's drawing, or null for 暂无数据. */
export type View = (ctx: ViewContext) => Promise<Drawing | null>;

export const regionName = (r: RegionRef, lang: Lang) => (lang === 'en' ? r.nameEn.replace(/ (Mining District|District|County|City|Manchu.*)$/, '') : r.name);

const AXIS_LABEL = { color: '#3b4a63', fontSize: 12, hideOverlap: true };
const SPLIT = { lineStyle: { color: '#e6eaf1' } };
/** A horizontal bar chart's grid: region names on the left, kept whole (containLabel). */
const GRID_H = { left: 8, right: 64, top: 36, bottom: 8, containLabel: true };
const LEGEND = { top: 0, left: 0, type: 'scroll' as const, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 12 } };

/** Height for a bar per category: readable on a phone, never a squashed canvas. */
const barsHeight = (n: number, per = 28) => Math.max(220, 60 + n * per);

/** Whether a region's bar is drawn pale: another region is picked, and is among the rows. */
function faded(ctx: ViewContext, rows: readonly { region: RegionRef }[], region: RegionRef): boolean {
  return ctx.regionId !== null && region.id !== ctx.regionId && rows.some((r) => r.region.id === ctx.regionId);
}

function regionCell(ctx: ViewContext, r: RegionRef): HTMLElement {
  return h('span', { class: r.id === ctx.regionId ? 'region picked' : 'region' }, regionName(r, ctx.lang));
}

/** A cadre's name: a link to the dossier PDF, in a new tab. */
function cadreLink(ctx: ViewContext, c: { id: string; name: string }): HTMLElement {
  return h('a', { href: ctx.dossierUrl(c.id), target: '_blank', rel: 'noopener', class: 'cadre', 'data-cadre': c.id }, c.name);
}

export const standingsView: View = async (ctx) => {
  const { w } = ctx;
  // Every region is listed, with or without speeches in the range: those without have nothing to rank.
  const rows = (await ctx.api<{ regionStandings: Standing[] }>(Q.standings, { from: ctx.vars.from, to: ctx.vars.to, themeId: ctx.vars.themeId })).regionStandings.filter((r) => r.speeches > 0);
  if (!rows.length) return null;
  const names = rows.map((r) => regionName(r.region, ctx.lang));
  const option: ChartOption = {
    grid: { ...GRID_H, top: 8, right: 80 },
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (p: unknown) => {
        const r = rows[(p as { dataIndex: number }[])[0].dataIndex];
        return tip(regionName(r.region, ctx.lang), [
          [w.rank, String(r.rank)],
          [w.score, num(r.score, 2), COLORS.accent],
          [w.speeches, String(r.speeches)],
          [w.excellentCount, String(r.excellent)],
          [w.overtimeRate, pct(r.overtimeRate)],
          [w.fulfilmentRate, pct(r.fulfilmentRate)],
        ]);
      },
    },
    xAxis: { type: 'value', axisLabel: AXIS_LABEL, splitLine: SPLIT },
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: AXIS_LABEL, axisTick: { show: false } },
    series: [
      {
        type: 'bar',
        name: w.score,
        barMaxWidth: 18,
        data: rows.map((r) => ({ value: r.score, itemStyle: { color: faded(ctx, rows, r.region) ? COLORS.soft : COLORS.accent } })),
        label: { show: true, position: 'right', formatter: (p: { dataIndex: number }) => `${num(rows[p.dataIndex].score, 2)}  ${w.rankNo(rows[p.dataIndex].rank)}`, fontSize: 11, color: '#14213d' },
      },
    ],
  };
  return {
    option,
    height: barsHeight(rows.length),
    onClick: (p) => ctx.pickRegion(rows[p.dataIndex].region.id),
    table: {
      head: [w.rank, w.regionCol, w.score, w.speeches, w.excellentCount, w.overtimeRate, w.fulfilmentRate],
      rows: rows.map((r) => [r.rank, regionCell(ctx, r.region), num(r.score, 2), r.speeches, r.excellent, pct(r.overtimeRate), pct(r.fulfilmentRate)]),
      onRow: (i) => ctx.pickRegion(rows[i].region.id),
      rowClass: (i) => (rows[i].region.id === ctx.regionId ? 'picked' : null),
    },
  };
};

/** How many regions' lines the trends show before the legend adds more. */
const TRENDS_SHOWN = 5;

export const trendsView: View = async (ctx) => {
  const { w } = ctx;
  const answer = (await ctx.api<{ regionTrends: Trends }>(Q.trends, ctx.vars)).regionTrends;
  const t = { sessions: answer.sessions, series: answer.series.filter((s) => s.scores.some((v) => v !== null)) };
  if (!t.sessions.length || !t.series.length) return null;
  const labels = t.sessions.map((s) => w.sessionNo(s.number));
  // Eleven lines at once are a tangle: the best few by mean score (and the region picked) are shown, the legend adds the rest.
  const mean = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : -Infinity;
  };
  const shown = new Set(
    [...t.series]
      .sort((a, b) => mean(b.scores) - mean(a.scores))
      .slice(0, TRENDS_SHOWN)
      .map((s) => s.region.id)
      .concat(ctx.regionId ? [ctx.regionId] : []),
  );
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 64, bottom: 8, containLabel: true },
    legend: { ...LEGEND, top: 0, selected: Object.fromEntries(t.series.map((s) => [regionName(s.region, ctx.lang), shown.has(s.region.id)])) },
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      formatter: (p: unknown) => {
        const items = p as { dataIndex: number; seriesIndex: number; color: string }[];
        const i = items[0].dataIndex;
        const s = t.sessions[i];
        return tip(
          `${labels[i]} · ${new Date(s.startsAt).toLocaleDateString(ctx.lang === 'en' ? 'en-GB' : 'zh-CN')}`,
          items
            .filter((it) => t.series[it.seriesIndex].scores[i] !== null)
            .sort((a, b) => (t.series[a.seriesIndex].ranks[i] ?? 99) - (t.series[b.seriesIndex].ranks[i] ?? 99))
            .map((it) => {
              const se = t.series[it.seriesIndex];
              return [`${se.ranks[i] ?? '—'}. ${regionName(se.region, ctx.lang)}`, num(se.scores[i]!, 2), it.color] as const;
            }),
        );
      },
    },
    xAxis: { type: 'category', data: labels, axisLabel: AXIS_LABEL, boundaryGap: false },
    yAxis: { type: 'value', name: w.score, scale: true, axisLabel: AXIS_LABEL, splitLine: SPLIT, nameTextStyle: { color: '#5b6b85' } },
    series: t.series.map((s) => ({
      type: 'line' as const,
      name: regionName(s.region, ctx.lang),
      data: s.scores,
      connectNulls: false,
      symbolSize: 5,
      showSymbol: t.sessions.length <= 16,
      emphasis: { focus: 'series' as const },
      lineStyle: { width: ctx.regionId && s.region.id === ctx.regionId ? 3 : 2 },
    })),
  };
  return {
    option,
    height: 380,
    onClick: (p) => p.seriesIndex !== undefined && ctx.pickRegion(t.series[p.seriesIndex].region.id),
    table: {
      head: [w.regionCol, ...labels],
      rows: t.series.map((s) => [regionCell(ctx, s.region), ...s.scores.map((v) => (v === null ? '—' : num(v, 2)))]),
      onRow: (i) => ctx.pickRegion(t.series[i].region.id),
    },
  };
};

const GRADES = [
  ['EXCELLENT', 'excellent', COLORS.excellent],
  ['GOOD', 'good', COLORS.good],
  ['AVERAGE', 'average', COLORS.average],
  ['POOR', 'poor', COLORS.poor],
] as const;

export const gradesView: View = async (ctx) => {
  const { w } = ctx;
  const edges = (await ctx.api<{ gradeDistributions: { edges: { node: GradeRow }[] } }>(Q.grades, ctx.vars)).gradeDistributions.edges;
  // The server lists them newest first; a chart reads left to right, oldest first.
  const rows = edges.map((e) => e.node).reverse();
  if (!rows.length) return null;
  const labels = rows.map((r) => w.sessionNo(r.session.number));
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: LEGEND,
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (p: unknown) => {
        const r = rows[(p as { dataIndex: number }[])[0].dataIndex];
        return tip(`${w.sessionNo(r.session.number)} ${r.session.title}`, [
          ...GRADES.map(([g, k, c]) => [w.grades[g], String(r[k]), c] as const),
          [w.ballots, `${r.ballotsCast} / ${r.entitledVoters}`],
        ]);
      },
    },
    xAxis: { type: 'category', data: labels, axisLabel: AXIS_LABEL },
    yAxis: { type: 'value', minInterval: 1, axisLabel: AXIS_LABEL, splitLine: SPLIT },
    series: GRADES.map(([g, k, c]) => ({ type: 'bar' as const, name: w.grades[g], stack: 'grades', color: c, barMaxWidth: 28, data: rows.map((r) => r[k]) })),
  };
  return {
    option,
    height: 320,
    table: {
      head: [w.session, ...GRADES.map(([g]) => w.grades[g]), w.ballots],
      rows: rows.map((r) => [`${w.sessionNo(r.session.number)} ${r.session.title}`, r.excellent, r.good, r.average, r.poor, `${r.ballotsCast} / ${r.entitledVoters}`]),
    },
  };
};

/** Discipline rows, by region or, when one region is picked, by its cadres. */
async function disciplineRows(ctx: ViewContext): Promise<DisciplineRow[]> {
  const groupBy = ctx.regionId ? 'CADRE' : 'REGION';
  return (await ctx.api<{ speakingDiscipline: DisciplineRow[] }>(Q.discipline, { ...ctx.vars, groupBy })).speakingDiscipline.filter((r) => r.speeches > 0);
}

const rowName = (ctx: ViewContext, r: DisciplineRow) => (r.cadre ? r.cadre.name : r.region ? regionName(r.region, ctx.lang) : '—');

export const disciplineView: View = async (ctx) => {
  const { w } = ctx;
  const rows = await disciplineRows(ctx);
  if (!rows.length) return null;
  const names = rows.map((r) => rowName(ctx, r));
  const option: ChartOption = {
    grid: { ...GRID_H, right: 86 },
    legend: LEGEND,
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (p: unknown) => {
        const r = rows[(p as { dataIndex: number }[])[0].dataIndex];
        return tip(rowName(ctx, r), [
          [w.spoken, num(r.spokenMinutes), COLORS.accent],
          [w.allotted, num(r.allottedMinutes), COLORS.pending],
          [w.overtimeRate, pct(r.overtimeRate), COLORS.poor],
          [w.speeches, String(r.speeches)],
          [w.cutOffs, String(r.cutOffs)],
        ]);
      },
    },
    xAxis: { type: 'value', axisLabel: AXIS_LABEL, splitLine: SPLIT },
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: AXIS_LABEL, axisTick: { show: false } },
    series: [
      {
        type: 'bar',
        name: w.allotted,
        color: COLORS.pending,
        barGap: '-100%',
        barMaxWidth: 18,
        data: rows.map((r) => Math.round(r.allottedMinutes * 10) / 10),
        // The overtime rate beside each bar, in words, so it reads on a phone too.
        label: { show: true, position: 'right', fontSize: 11, color: '#3b4a63', formatter: (p: { dataIndex: number }) => w.overtimeShort(pct(rows[p.dataIndex].overtimeRate)) },
      },
      { type: 'bar', name: w.spoken, color: COLORS.accent, barMaxWidth: 10, data: rows.map((r) => Math.round(r.spokenMinutes * 10) / 10) },
    ],
  };
  return {
    option,
    height: barsHeight(rows.length, 30),
    onClick: (p) => {
      const r = rows[p.dataIndex];
      if (r.cadre) ctx.openDossier(r.cadre.id);
      else if (r.region) ctx.pickRegion(r.region.id);
    },
    table: {
      head: [ctx.regionId ? w.cadre : w.regionCol, w.speeches, w.spoken, w.allotted, w.overtimeRate, w.cutOffs],
      rows: rows.map((r) => [r.cadre ? cadreLink(ctx, r.cadre) : r.region ? regionCell(ctx, r.region) : '—', r.speeches, num(r.spokenMinutes), num(r.allottedMinutes), pct(r.overtimeRate), r.cutOffs]),
      onRow: ctx.regionId ? undefined : (i) => rows[i].region && ctx.pickRegion(rows[i].region!.id),
    },
  };
};

const REASONS = ['EMPTY_TALK', 'OFF_TOPIC', 'OVERTIME', 'OTHER'] as const;
const REASON_COLORS = ['#b3261e', '#e0a100', '#7c3aed', '#64748b'];

export const interruptionsView: View = async (ctx) => {
  const { w } = ctx;
  const rows = (await disciplineRows(ctx)).filter((r) => r.interruptions.some((i) => i.count > 0));
  if (!rows.length) return null;
  const count = (r: DisciplineRow, reason: string) => r.interruptions.find((i) => i.reason === reason)?.count ?? 0;
  const names = rows.map((r) => rowName(ctx, r));
  const option: ChartOption = {
    grid: GRID_H,
    legend: LEGEND,
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (p: unknown) => {
        const r = rows[(p as { dataIndex: number }[])[0].dataIndex];
        return tip(rowName(ctx, r), REASONS.map((k, i) => [w.reasons[k], String(count(r, k)), REASON_COLORS[i]] as const));
      },
    },
    xAxis: { type: 'value', minInterval: 1, axisLabel: AXIS_LABEL, splitLine: SPLIT },
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: AXIS_LABEL, axisTick: { show: false } },
    series: REASONS.map((k, i) => ({ type: 'bar' as const, name: w.reasons[k], stack: 'reasons', color: REASON_COLORS[i], barMaxWidth: 18, data: rows.map((r) => count(r, k)) })),
  };
  return {
    option,
    height: barsHeight(rows.length),
    onClick: (p) => {
      const r = rows[p.dataIndex];
      if (r.cadre) ctx.openDossier(r.cadre.id);
      else if (r.region) ctx.pickRegion(r.region.id);
    },
    table: {
      head: [ctx.regionId ? w.cadre : w.regionCol, ...REASONS.map((k) => w.reasons[k]), w.total],
      rows: rows.map((r) => [
        r.cadre ? cadreLink(ctx, r.cadre) : r.region ? regionCell(ctx, r.region) : '—',
        ...REASONS.map((k) => count(r, k)),
        REASONS.reduce((s, k) => s + count(r, k), 0),
      ]),
    },
  };
};

export const fulfilmentView: View = async (ctx) => {
  const { w } = ctx;
  const rows = (await ctx.api<{ commitmentFulfilment: FulfilmentRow[] }>(Q.fulfilment, ctx.vars)).commitmentFulfilment.filter((r) => r.commitments > 0);
  if (!rows.length) return null;
  const pending = (r: FulfilmentRow) => Math.max(0, r.commitments - r.fulfilled - r.partial - r.missed);
  const parts = [
    [w.fulfilled, COLORS.excellent, (r: FulfilmentRow) => r.fulfilled],
    [w.partial, COLORS.average, (r: FulfilmentRow) => r.partial],
    [w.missed, COLORS.poor, (r: FulfilmentRow) => r.missed],
    [w.pending, COLORS.pending, pending],
  ] as const;
  const option: ChartOption = {
    grid: GRID_H,
    legend: LEGEND,
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (p: unknown) => {
        const r = rows[(p as { dataIndex: number }[])[0].dataIndex];
        return tip(regionName(r.region, ctx.lang), [
          ...parts.map(([label, color, f]) => [label, String(f(r)), color] as const),
          [w.fulfilmentRate, pct(r.fulfilmentRate)],
          [w.onTimeRate, pct(r.onTimeRate)],
        ]);
      },
    },
    xAxis: { type: 'value', minInterval: 1, axisLabel: AXIS_LABEL, splitLine: SPLIT },
    yAxis: { type: 'category', data: rows.map((r) => regionName(r.region, ctx.lang)), inverse: true, axisLabel: AXIS_LABEL, axisTick: { show: false } },
    series: parts.map(([label, color, f]) => ({ type: 'bar' as const, name: label, stack: 'c', color, barMaxWidth: 18, data: rows.map(f) })),
  };
  return {
    option,
    height: barsHeight(rows.length),
    onClick: (p) => ctx.pickRegion(rows[p.dataIndex].region.id),
    table: {
      head: [w.regionCol, w.commitments, w.fulfilled, w.partial, w.missed, w.pending, w.fulfilmentRate, w.onTimeRate],
      rows: rows.map((r) => [regionCell(ctx, r.region), r.commitments, r.fulfilled, r.partial, r.missed, pending(r), pct(r.fulfilmentRate), pct(r.onTimeRate)]),
      onRow: (i) => ctx.pickRegion(rows[i].region.id),
    },
  };
};

export const verdictsView: View = async (ctx) => {
  const { w } = ctx;
  const rows = (await ctx.api<{ auditVerdicts: VerdictRow[] }>(Q.verdicts, ctx.vars)).auditVerdicts.filter((r) => r.total > 0);
  if (!rows.length) return null;
  const parts = [
    ['VERIFIED', COLORS.excellent, (r: VerdictRow) => r.verified],
    ['PARTIAL', COLORS.average, (r: VerdictRow) => r.partial],
    ['NOT_FULFILLED', COLORS.poor, (r: VerdictRow) => r.notFulfilled],
    ['FALSIFIED', COLORS.falsified, (r: VerdictRow) => r.falsified],
  ] as const;
  const option: ChartOption = {
    grid: GRID_H,
    legend: LEGEND,
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (p: unknown) => {
        const r = rows[(p as { dataIndex: number }[])[0].dataIndex];
        return tip(regionName(r.region, ctx.lang), [...parts.map(([v, color, f]) => [w.verdicts[v], String(f(r)), color] as const), [w.total, String(r.total)]]);
      },
    },
    xAxis: { type: 'value', minInterval: 1, axisLabel: AXIS_LABEL, splitLine: SPLIT },
    yAxis: { type: 'category', data: rows.map((r) => regionName(r.region, ctx.lang)), inverse: true, axisLabel: AXIS_LABEL, axisTick: { show: false } },
    series: parts.map(([v, color, f]) => ({
      type: 'bar' as const,
      name: w.verdicts[v],
      stack: 'v',
      color,
      barMaxWidth: 18,
      data: rows.map(f),
      ...(v === 'FALSIFIED' ? { itemStyle: { decal: HATCH } } : {}),
    })),
  };
  return {
    option,
    height: barsHeight(rows.length),
    onClick: (p) => ctx.pickRegion(rows[p.dataIndex].region.id),
    table: {
      head: [w.regionCol, ...parts.map(([v]) => w.verdicts[v]), w.total],
      rows: rows.map((r) => [regionCell(ctx, r.region), r.verified, r.partial, r.notFulfilled, r.falsified, r.total]),
      onRow: (i) => ctx.pickRegion(rows[i].region.id),
    },
  };
};

/** Diagonal hatching: a falsified value is drawn, but not as if it counted. */
const HATCH = { symbol: 'rect', symbolSize: 1, color: 'rgba(255,255,255,0.55)', dashArrayX: [1, 0], dashArrayY: [3, 4], rotation: -Math.PI / 4 };

export const cadresView: View = async (ctx) => {
  const { w } = ctx;
  const rows = (await ctx.api<{ cadreRankings: { edges: { node: CadreRank }[] } }>(Q.cadres, ctx.vars)).cadreRankings.edges.map((e) => e.node);
  if (!rows.length) return null;
  return {
    option: null,
    table: {
      head: [w.rank, w.cadre, w.position, w.regionCol, w.score, w.speeches, ...GRADES.map(([g]) => w.grades[g])],
      rows: rows.map((r): Cell[] => [
        r.rank,
        cadreLink(ctx, r.cadre),
        r.cadre.position,
        h('button', { type: 'button', class: 'link', onclick: () => ctx.pickRegion(r.cadre.region.id) }, regionName(r.cadre.region, ctx.lang)),
        num(r.score, 2),
        r.speeches,
        r.excellent,
        r.good,
        r.average,
        r.poor,
      ]),
    },
  };
};

/** 指标对比: one shared indicator, each region's latest value by rank; a FALSIFIED value drawn hatched, unranked. */
export function indicatorView(indicator: IndicatorRef, themeId: string): View {
  return async (ctx) => {
    const { w } = ctx;
    const rows = (
      await ctx.api<{ indicatorComparison: IndicatorValue[] }>(Q.indicator, { themeId, indicatorId: indicator.id, from: ctx.vars.from, to: ctx.vars.to })
    ).indicatorComparison;
    if (!rows.length) return null;
    const falsified = (r: IndicatorValue) => r.verdict === 'FALSIFIED';
    const label = (r: IndicatorValue) => `${r.rank ?? '—'}  ${regionName(r.region, ctx.lang)}`;
    const verdictText = (r: IndicatorValue) => (r.verdict ? w.verdicts[r.verdict] : w.notAudited);
    const option: ChartOption = {
      grid: { ...GRID_H, right: 120, top: 28 },
      tooltip: {
        ...TOOLTIP,
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (p: unknown) => {
          const r = rows[(p as { dataIndex: number }[])[0].dataIndex];
          return tip(`${regionName(r.region, ctx.lang)} · ${r.cadre.name}`, [
            [indicator.name, `${num(r.value, 2)} ${r.unit}`, falsified(r) ? COLORS.falsified : COLORS.accent],
            [w.rank, r.rank === null ? w.unranked : String(r.rank)],
            [w.verdict, verdictText(r)],
            [w.asOf, new Date(r.asOf).toLocaleDateString(ctx.lang === 'en' ? 'en-GB' : 'zh-CN')],
          ]);
        },
      },
      xAxis: { type: 'value', axisLabel: AXIS_LABEL, splitLine: SPLIT },
      yAxis: { type: 'category', data: rows.map(label), inverse: true, axisLabel: AXIS_LABEL, axisTick: { show: false } },
      series: [
        {
          type: 'bar',
          name: indicator.name,
          barMaxWidth: 18,
          data: rows.map((r) =>
            falsified(r)
              ? { value: r.value, itemStyle: { color: COLORS.falsified, decal: HATCH, opacity: 0.75 }, label: { color: COLORS.falsified, fontWeight: 'bold' as const } }
              : { value: r.value, itemStyle: { color: faded(ctx, rows, r.region) ? COLORS.soft : COLORS.accent } },
          ),
          label: {
            show: true,
            position: 'right',
            fontSize: 11,
            color: '#14213d',
            formatter: (p: { dataIndex: number }) => {
              const r = rows[p.dataIndex];
              return falsified(r) ? `${num(r.value, 2)} · ${w.falsified}` : `${num(r.value, 2)} ${r.unit}`;
            },
          },
        },
      ],
    };
    return {
      option,
      height: barsHeight(rows.length),
      onClick: (p) => ctx.openDossier(rows[p.dataIndex].cadre.id),
      table: {
        head: [w.rank, w.regionCol, w.cadre, `${w.value}（${indicator.unit}）`, w.verdict, w.asOf],
        rows: rows.map((r) => [
          r.rank === null ? w.unranked : r.rank,
          regionCell(ctx, r.region),
          cadreLink(ctx, r.cadre),
          num(r.value, 2),
          falsified(r) ? h('strong', { class: 'falsified-tag' }, w.falsified) : verdictText(r),
          new Date(r.asOf).toLocaleDateString(ctx.lang === 'en' ? 'en-GB' : 'zh-CN'),
        ]),
        rowClass: (i) => (falsified(rows[i]) ? 'falsified' : null),
      },
    };
  };
}

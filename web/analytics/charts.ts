import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import { h } from '../shared/dom';
import type { AnalyticsWords } from './words';

/**
 * ECharts, piece by piece: bars and lines, a grid, a legend and a tooltip, drawn on canvas. The canvas renderer sets
 * no style attributes, and every tooltip is built as DOM nodes (never an HTML string), so the page keeps to the
 * server's Content-Security-Policy (no inline styles).
 */
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

export const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';

export const COLORS = {
  accent: '#1d4ed8',
  soft: '#93b4f5',
  excellent: '#1f7a3a',
  good: '#3b82f6',
  average: '#e0a100',
  poor: '#b3261e',
  pending: '#c5ccd8',
  falsified: '#6b7280',
  palette: ['#1d4ed8', '#b3261e', '#1f7a3a', '#e0a100', '#7c3aed', '#0e7490', '#c2410c', '#be185d', '#4d7c0f', '#334155', '#0891b2', '#a16207', '#6d28d9'],
};

/** One cell of a table: text, a number, or a node such as a link. */
export type Cell = string | number | Node;

export interface TableData {
  head: readonly string[];
  rows: readonly (readonly Cell[])[];
  /** A row's click (e.g. pick that region). */
  onRow?: (index: number) => void;
  rowClass?: (index: number) => string | null;
}

export interface Drawing {
  /** null: a table only (the cadre ranking). */
  option: ChartOption | null;
  /** The chart's height in px (a bar per region wants more than a line). */
  height?: number;
  table: TableData;
  onClick?: (params: { dataIndex: number; seriesIndex?: number; name: string }) => void;
}

let firstChart = false;
/** Called once, when the first chart of the page has been drawn, with ms since navigation start. */
let onFirstChart: (ms: number) => void = () => undefined;
export function whenFirstChart(fn: (ms: number) => void): void {
  onFirstChart = fn;
}

export interface CardLinks {
  /** The export's name, e.g. region-standings; null for a card without one. */
  name: string | null;
}

/**
 * A chart card: title, a note, the 表格 toggle and the CSV / XLSX links, the chart, the same numbers as a table,
 * and a state line for 加载中 / 暂无数据 / the server's error. `data-state` says which (loading, ready, empty, error).
 */
export class ChartCard {
  readonly el: HTMLElement;
  private readonly chartEl: HTMLDivElement;
  private readonly tableEl: HTMLDivElement;
  private readonly stateEl: HTMLDivElement;
  private readonly toggle: HTMLButtonElement;
  private readonly csv: HTMLAnchorElement;
  private readonly xlsx: HTMLAnchorElement;
  private chart: echarts.ECharts | null = null;
  private tableView = false;
  /** Extra controls in the card's head, e.g. the indicator select. */
  readonly controls: HTMLDivElement;

  constructor(
    readonly id: string,
    private readonly w: AnalyticsWords,
    readonly exportName: string | null,
  ) {
    this.chartEl = h('div', { class: 'chart', id: `${id}-chart` });
    this.tableEl = h('div', { class: 'table-wrap', id: `${id}-table`, hidden: true });
    this.stateEl = h('div', { class: 'state', id: `${id}-state`, role: 'status' }, w.loading);
    this.toggle = h('button', { type: 'button', class: 'small', id: `${id}-toggle`, 'aria-pressed': 'false' }, w.table);
    this.toggle.addEventListener('click', () => this.setTableView(!this.tableView));
    this.csv = h('a', { class: 'button small', id: `${id}-csv`, hidden: !exportName }, 'CSV');
    this.xlsx = h('a', { class: 'button small', id: `${id}-xlsx`, hidden: !exportName }, 'XLSX');
    this.controls = h('div', { class: 'controls' });
    this.el = h(
      'section',
      { class: 'card chart-card', id: `card-${id}`, 'data-state': 'loading' },
      h(
        'header',
        { class: 'card-head' },
        h('div', { class: 'card-title' }, h('h2', {}, w.charts[id] ?? id), h('p', { class: 'note' }, w.notes[id] ?? '')),
        h('div', { class: 'tools' }, this.toggle, this.csv, this.xlsx),
      ),
      this.controls,
      this.stateEl,
      this.chartEl,
      this.tableEl,
    );
    new ResizeObserver(() => this.chart?.resize()).observe(this.chartEl);
  }

  /** Points the export links at `/exports/<name>.csv|xlsx?<query>`. */
  setExport(query: string): void {
    if (!this.exportName) return;
    this.csv.href = `/exports/${this.exportName}.csv?${query}`;
    this.xlsx.href = `/exports/${this.exportName}.xlsx?${query}`;
  }

  private setState(state: 'loading' | 'ready' | 'empty' | 'error', message = ''): void {
    this.el.dataset.state = state;
    this.stateEl.textContent = message;
    this.stateEl.hidden = state === 'ready';
    this.stateEl.className = `state ${state}`;
    const table = this.tableOnly || this.tableView;
    this.chartEl.hidden = state !== 'ready' || table;
    this.tableEl.hidden = state !== 'ready' || !table;
    this.toggle.disabled = state !== 'ready';
    this.toggle.hidden = this.tableOnly;
  }

  /** A card that is a table only (no chart, no toggle). */
  private tableOnly = false;

  private setTableView(on: boolean): void {
    this.tableView = on;
    this.toggle.textContent = on ? this.w.chart : this.w.table;
    this.toggle.setAttribute('aria-pressed', String(on));
    if (this.el.dataset.state === 'ready') {
      this.chartEl.hidden = on;
      this.tableEl.hidden = !on;
      if (!on) this.chart?.resize();
    }
  }

  loading(): void {
    this.el.dataset.state = 'loading';
    this.el.classList.add('busy');
  }

  error(message: string): void {
    this.el.classList.remove('busy');
    this.controls.hidden = true;
    this.tableEl.replaceChildren();
    this.setState('error', message);
  }

  empty(): void {
    this.el.classList.remove('busy');
    this.controls.hidden = false;
    this.tableEl.replaceChildren();
    this.setState('empty', this.w.empty);
  }

  draw(d: Drawing): void {
    this.el.classList.remove('busy');
    this.controls.hidden = false;
    this.tableEl.replaceChildren(renderTable(`${this.id}-grid`, d.table));
    this.tableOnly = d.option === null;
    this.chartEl.style.height = `${d.height ?? 320}px`;
    this.setState('ready');
    this.el.dataset.drawn = String(Number(this.el.dataset.drawn ?? 0) + 1);
    if (d.option === null) return;
    if (!this.chart) {
      this.chart = echarts.init(this.chartEl, null, { renderer: 'canvas' });
      if (!firstChart) {
        const chart = this.chart;
        const first = () => {
          chart.off('finished', first);
          if (firstChart) return;
          firstChart = true;
          performance.mark('leitai:first-chart');
          onFirstChart(Math.round(performance.now()));
        };
        chart.on('finished', first);
      }
    } else this.chart.resize();
    this.chart.off('click');
    if (d.onClick) this.chart.on('click', (p) => d.onClick!(p as { dataIndex: number; seriesIndex?: number; name: string }));
    this.chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, color: COLORS.palette, ...d.option }, { notMerge: true });
  }
}

function renderTable(id: string, t: TableData): HTMLTableElement {
  return h(
    'table',
    { id, class: 'grid-table' },
    h('thead', {}, h('tr', {}, ...t.head.map((c) => h('th', {}, c)))),
    h(
      'tbody',
      {},
      ...t.rows.map((cells, i) =>
        h(
          'tr',
          { class: [t.onRow ? 'pick' : '', t.rowClass?.(i) ?? ''].join(' ').trim() || null, onclick: t.onRow ? () => t.onRow!(i) : null },
          ...cells.map((c) => h('td', { class: typeof c === 'number' ? 'num' : null }, typeof c === 'number' ? String(c) : c)),
        ),
      ),
    ),
  );
}

/** A tooltip that is DOM, not HTML text: a title line, then label: value lines with a colour swatch. */
export function tip(title: string, lines: readonly (readonly [string, string, string?])[]): HTMLElement {
  return h(
    'div',
    { class: 'tip' },
    h('div', { class: 'tip-title' }, title),
    ...lines.map(([label, value, color]) => {
      const dot = h('span', { class: 'dot' });
      // A CSSOM property, which the Content-Security-Policy allows (a style attribute it would not).
      if (color) dot.style.background = color;
      return h('div', { class: 'tip-line' }, dot, h('span', {}, label), h('b', {}, value));
    }),
  );
}

/** The tooltip defaults: kept inside the chart (no arrow drawn with inline style), DOM content. */
export const TOOLTIP = { confine: true, renderMode: 'html' as const, backgroundColor: '#fff', borderColor: '#d5dbe5', textStyle: { color: '#14213d', fontFamily: FONT } };

export const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
export const num = (x: number, digits = 1) => (Number.isInteger(x) ? String(x) : x.toFixed(digits));

import './analytics.css';
import { ApiError, graphql } from '../shared/api';
import { byId, h } from '../shared/dom';
import { langFromLocation } from '../shared/i18n';
import { signInForm, signInStore, type SignedIn } from '../shared/sign-in';
import { ChartCard, whenFirstChart } from './charts';
import { Q, type IndicatorRef, type RegionRef, type ThemeRef } from './data';
import {
  cadresView,
  disciplineView,
  fulfilmentView,
  gradesView,
  indicatorView,
  interruptionsView,
  regionName,
  standingsView,
  trendsView,
  verdictsView,
  type View,
  type ViewContext,
} from './views';
import { analyticsWords } from './words';

/**
 * The analysts' page (数据分析): a grid of chart cards over the analytics queries, every one following the same
 * filter (dates, theme, region), which lives in the address bar so a reload or a shared link shows the same picture.
 * Each card also shows its numbers as a table and links to the server's CSV / XLSX export of them.
 */

const lang = langFromLocation();
const w = analyticsWords(lang);
const store = signInStore('analytics');
const ROLES = ['analyst', 'secretary', 'admin'];

interface Filters {
  from: string;
  to: string;
  themeId: string;
  regionId: string;
  indicatorId: string;
}
const FILTER_KEYS = ['from', 'to', 'themeId', 'regionId', 'indicatorId'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function filtersFromUrl(): Filters {
  const q = new URLSearchParams(location.search);
  const get = (k: string) => (q.get(k) ?? '').trim();
  return {
    from: DATE.test(get('from')) ? get('from') : '',
    to: DATE.test(get('to')) ? get('to') : '',
    themeId: get('themeId'),
    regionId: get('regionId'),
    indicatorId: get('indicatorId'),
  };
}

let filters = filtersFromUrl();

/** This page's address with the filter, in a language. */
function addressFor(l: typeof lang): string {
  const q = new URLSearchParams();
  for (const k of FILTER_KEYS) if (filters[k]) q.set(k, filters[k]);
  if (l === 'en') q.set('lang', 'en');
  const search = q.toString();
  return `${location.pathname}${search ? `?${search}` : ''}`;
}

/** The filter into the address bar (a reload or a shared link shows the same), and the other language's link. */
function writeUrl(): void {
  history.replaceState(null, '', addressFor(lang));
  const other = document.getElementById('lang') as HTMLAnchorElement | null;
  if (other) other.href = addressFor(lang === 'en' ? 'zh' : 'en');
}

/** A date of the filter as an instant: the start of that day here; `to` is inclusive, so the start of the next day. */
function instant(date: string, next: boolean): string | null {
  if (!date) return null;
  const d = new Date(`${date}T00:00:00`);
  if (Number.isNaN(d.getTime())) return null;
  if (next) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

let signedIn: SignedIn | null = store.read();

function explain(err: unknown): string {
  if (err instanceof ApiError) return `${w.errors[err.code] ?? err.code}: ${err.message}`;
  return String(err);
}

function signOut(message?: string): void {
  signedIn = null;
  store.clear();
  showLogin(message);
}

function showLogin(message?: string): void {
  byId('app').replaceChildren(
    signInForm({
      lang,
      title: w.title,
      hint: w.hint,
      message,
      refuse: (roles) => (roles.some((r) => ROLES.includes(r)) ? null : w.notAnalyst),
      explain,
      signedIn: (answer) => {
        signedIn = answer;
        store.save(answer);
        void showPage(answer);
      },
    }),
  );
  byId('username').focus();
}

function option(value: string, label: string, selected: boolean): HTMLOptionElement {
  return h('option', { value, selected }, label);
}

async function showPage(session: SignedIn): Promise<void> {
  const api = <T>(query: string, variables: Record<string, unknown> = {}) => graphql<T>(query, variables, session.token);
  const withToken = (path: string) => `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(session.token)}`;
  const dossierUrl = (cadreId: string) => withToken(`/reports/dossier/${encodeURIComponent(cadreId)}.pdf`);

  // In grid order: two to a row on a laptop, the trends and the ranking across.
  const cards = {
    standings: new ChartCard('standings', w, 'region-standings'),
    grades: new ChartCard('grades', w, 'grade-distributions'),
    trends: new ChartCard('trends', w, 'region-trends'),
    discipline: new ChartCard('discipline', w, 'speaking-discipline'),
    interruptions: new ChartCard('interruptions', w, 'speaking-discipline'),
    fulfilment: new ChartCard('fulfilment', w, 'commitment-fulfilment'),
    verdicts: new ChartCard('verdicts', w, 'audit-verdicts'),
    indicator: new ChartCard('indicator', w, 'indicator-comparison'),
    cadres: new ChartCard('cadres', w, 'cadre-rankings'),
  };
  cards.trends.el.classList.add('wide');
  cards.indicator.el.classList.add('wide');
  cards.cadres.el.classList.add('wide');

  const fromInput = h('input', { type: 'date', id: 'filter-from', value: filters.from });
  const toInput = h('input', { type: 'date', id: 'filter-to', value: filters.to });
  const themeSelect = h('select', { id: 'filter-theme' }, option('', w.allThemes, true));
  const regionSelect = h('select', { id: 'filter-region' }, option('', w.allRegions, true));
  const clear = h('button', { type: 'button', id: 'filter-clear' }, w.clear);
  const firstChart = h('span', { id: 'first-chart', class: 'timing' });
  whenFirstChart((ms) => {
    firstChart.textContent = w.firstChart(ms);
    firstChart.dataset.ms = String(ms);
  });
  const indicatorTheme = h('select', { id: 'indicator-theme', 'aria-label': w.theme });
  const indicatorSelect = h('select', { id: 'indicator-select', 'aria-label': w.indicator });
  cards.indicator.controls.append(h('label', { class: 'field' }, h('span', {}, w.theme), indicatorTheme), h('label', { class: 'field' }, h('span', {}, w.indicator), indicatorSelect));

  byId('app').replaceChildren(
    h(
      'div',
      { class: 'analytics' },
      h(
        'header',
        { class: 'bar' },
        h('span', { class: 'bar-title' }, w.title),
        firstChart,
        h('span', { class: 'who' }, session.user.displayName),
        h('a', { class: 'lang', id: 'lang', href: addressFor(lang === 'en' ? 'zh' : 'en') }, w.other),
        h('button', { type: 'button', id: 'sign-out', onclick: () => signOut() }, w.signOut),
      ),
      h(
        'form',
        { class: 'filters', id: 'filters', onsubmit: (e: Event) => e.preventDefault() },
        h('label', { class: 'field' }, h('span', {}, w.from), fromInput),
        h('label', { class: 'field' }, h('span', {}, w.to), toInput),
        h('label', { class: 'field grow' }, h('span', {}, w.theme), themeSelect),
        h('label', { class: 'field' }, h('span', {}, w.region), regionSelect),
        clear,
      ),
      h('main', { class: 'cards', id: 'cards' }, ...Object.values(cards).map((c) => c.el)),
    ),
  );

  let regions: RegionRef[] = [];
  let themes: ThemeRef[] = [];
  /** The indicators of each theme; null until read, or the server's error (an older server has none). */
  let indicators: Map<string, IndicatorRef[]> | ApiError | null = null;
  let generation = 0;

  const fail = (card: ChartCard, err: unknown) => {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') return signOut(w.expired);
    card.error(explain(err));
  };

  const setFilter = (patch: Partial<Filters>) => {
    filters = { ...filters, ...patch };
    writeUrl();
    syncControls();
    load();
  };

  const pickRegion = (regionId: string) => setFilter({ regionId: filters.regionId === regionId ? '' : regionId });

  function syncControls(): void {
    fromInput.value = filters.from;
    toInput.value = filters.to;
    themeSelect.value = themes.some((t) => t.id === filters.themeId) ? filters.themeId : '';
    regionSelect.value = regions.some((r) => r.id === filters.regionId) ? filters.regionId : '';
  }

  /** The theme and indicator the comparison shows: the filter's, else the first theme that has indicators. */
  function indicatorChoice(): { themeId: string; indicator: IndicatorRef } | null {
    if (!(indicators instanceof Map)) return null;
    const withIndicators = themes.filter((t) => (indicators as Map<string, IndicatorRef[]>).get(t.id)?.length);
    const theme = withIndicators.find((t) => t.id === filters.themeId) ?? (filters.themeId ? null : withIndicators[0]);
    indicatorTheme.replaceChildren(
      ...(filters.themeId && !theme ? [option(filters.themeId, themes.find((t) => t.id === filters.themeId)?.title ?? filters.themeId, true)] : []),
      ...withIndicators.map((t) => option(t.id, t.title, t.id === theme?.id)),
    );
    if (!theme) return null;
    const list = indicators.get(theme.id)!;
    const indicator = list.find((i) => i.id === filters.indicatorId) ?? list[0];
    indicatorSelect.replaceChildren(...list.map((i) => option(i.id, `${i.name}（${i.unit}）`, i.id === indicator.id)));
    return { themeId: theme.id, indicator };
  }

  const currentVars = () => ({
    from: instant(filters.from, false),
    to: instant(filters.to, true),
    themeId: filters.themeId || null,
    regionId: filters.regionId || null,
  });

  const contextFor = (vars: ViewContext['vars']): ViewContext => ({
    lang,
    w,
    api,
    vars,
    regionId: vars.regionId,
    pickRegion,
    dossierUrl,
    openDossier: (cadreId) => window.open(dossierUrl(cadreId), '_blank', 'noopener'),
  });

  /** An export's query: the same filter as the charts, and the token (a plain link cannot send a header). */
  const exportQuery = (vars: ViewContext['vars'], extra: Record<string, string> = {}) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...vars, ...extra })) if (v) q.set(k, v);
    q.set('token', session.token);
    return q.toString();
  };

  const run = (mine: number, card: ChartCard, view: View, ctx: ViewContext) => {
    card.loading();
    view(ctx).then(
      (d) => {
        if (mine !== generation) return;
        if (d) card.draw(d);
        else card.empty();
      },
      (err) => mine === generation && fail(card, err),
    );
  };

  /** The indicator card: it waits for the list of indicators, then follows the same filter. */
  function loadIndicator(mine: number): void {
    const vars = currentVars();
    const card = cards.indicator;
    if (indicators === null) return card.loading();
    if (indicators instanceof ApiError) return fail(card, indicators);
    const choice = indicatorChoice();
    if (!choice) {
      card.setExport(exportQuery(vars));
      return card.error(filters.themeId ? w.noIndicators : w.empty);
    }
    card.setExport(exportQuery({ ...vars, themeId: choice.themeId }, { indicatorId: choice.indicator.id }));
    run(mine, card, indicatorView(choice.indicator, choice.themeId), contextFor(vars));
  }

  function load(): void {
    const mine = ++generation;
    const vars = currentVars();
    const ctx = contextFor(vars);
    for (const card of Object.values(cards)) if (card !== cards.indicator) card.setExport(exportQuery(vars));
    run(mine, cards.standings, standingsView, ctx);
    run(mine, cards.trends, trendsView, ctx);
    run(mine, cards.grades, gradesView, ctx);
    run(mine, cards.discipline, disciplineView, ctx);
    run(mine, cards.interruptions, interruptionsView, ctx);
    run(mine, cards.fulfilment, fulfilmentView, ctx);
    run(mine, cards.verdicts, verdictsView, ctx);
    run(mine, cards.cadres, cadresView, ctx);
    loadIndicator(mine);
  }

  fromInput.addEventListener('change', () => setFilter({ from: fromInput.value }));
  toInput.addEventListener('change', () => setFilter({ to: toInput.value }));
  themeSelect.addEventListener('change', () => setFilter({ themeId: themeSelect.value, indicatorId: '' }));
  regionSelect.addEventListener('change', () => setFilter({ regionId: regionSelect.value }));
  indicatorTheme.addEventListener('change', () => setFilter({ themeId: indicatorTheme.value, indicatorId: '' }));
  indicatorSelect.addEventListener('change', () => setFilter({ indicatorId: indicatorSelect.value }));
  clear.addEventListener('click', () => setFilter({ from: '', to: '', themeId: '', regionId: '', indicatorId: '' }));

  // The charts start at once; the lists for the selects (and the indicators) arrive alongside.
  const lists = Promise.all([api<{ regions: RegionRef[] }>(Q.regions), api<{ themes: ThemeRef[] }>(Q.themes)]).then(([r, t]) => {
    regions = r.regions;
    themes = t.themes;
    regionSelect.replaceChildren(option('', w.allRegions, true), ...regions.map((x) => option(x.id, regionName(x, lang), false)));
    themeSelect.replaceChildren(option('', w.allThemes, true), ...themes.map((x) => option(x.id, x.title, false)));
    syncControls();
  });
  const indicatorList = api<{ themes: { id: string; indicators: IndicatorRef[] }[] }>(Q.indicators).then(
    (d) => {
      indicators = new Map(d.themes.map((t) => [t.id, t.indicators]));
    },
    (err: unknown) => {
      indicators = err instanceof ApiError ? err : new ApiError(String(err), 'UNKNOWN');
    },
  );
  writeUrl();
  load();
  try {
    await lists;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') return signOut(w.expired);
  }
  await indicatorList;
  loadIndicator(generation);
}

function route(): void {
  if (!signedIn) return showLogin();
  void showPage(signedIn);
}

document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
document.body.replaceChildren(h('div', { id: 'app' }));
route();

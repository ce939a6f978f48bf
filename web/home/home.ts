import './home.css';
import { h } from '../shared/dom';
import { langFromLocation, type Lang } from '../shared/i18n';

/**
 * The front door (`/`): what this server is, a link for each role, and whether it is healthy (`/healthz` and
 * `/readyz` fetched from this origin). Chinese first, English with `?lang=en`.
 */

const lang = langFromLocation();

const zh = {
  title: '擂台 · 大培训大比拼',
  intro: '干部大培训大比拼会议的现场系统：现场直播间、民主评议、档案、核查督导与数据分析。',
  health: '服务状态',
  live: '服务运行',
  ready: '数据库就绪',
  ok: '正常',
  bad: '异常',
  checking: '检查中…',
  roles: '入口',
  soon: '即将上线',
  console: { name: '主持台', note: '主持人登录后驾驭会议：发言、计时、打断、留言审核、民主评议' },
  screen: { name: '会场大屏', note: '大屏链接由主持台生成：登录主持台、选择场次后点“大屏链接”' },
  explorer: { name: 'GraphQL 查询台', note: '供数据分析人员使用的 GraphiQL' },
  hall: { name: '与会人员手机端', note: '个人链接或账号登录：签到、看会场、提问、投票；领导点评' },
  desk: { name: '组织部工作台', note: '会务组登录：Excel 导入干部名册、安排系列场次和发言顺序、登录链接、PDF 报告与报送' },
  analytics: { name: '数据分析', note: '数据分析人员登录：历次比拼的排名、走势、评议等次、发言纪律、承诺兑现与核查结论，图表、表格与 Excel 导出' },
  audit: { name: '核查督导', note: '核查人员登录：核查任务与核查结论、进度报告核实、消息；管理员公布结论' },
  other: 'English',
};
const en: typeof zh = {
  title: 'Leitai · Training & Competition',
  intro: "The live system for the city's cadre training-competition meetings: the live room, democratic evaluation, archives, audits and analytics.",
  health: 'Server status',
  live: 'Server running',
  ready: 'Database ready',
  ok: 'OK',
  bad: 'Down',
  checking: 'Checking…',
  roles: 'Way in',
  soon: 'coming',
  console: { name: "Chair's console", note: 'The chair signs in and runs the meeting: speeches, timer, interruptions, comments, evaluation' },
  screen: { name: 'Big screen', note: 'The console hands out screen links: sign in, pick a session, tap "Screen link"' },
  explorer: { name: 'GraphQL explorer', note: 'GraphiQL, for analysts' },
  hall: { name: 'Attendees (phone)', note: 'Sign in by personal link or password: check in, follow the room, ask, vote; leaders comment' },
  desk: { name: 'Organisation desk', note: 'Secretaries sign in: the roster from Excel, a series of sessions and their line-ups, sign-in links, PDF reports and their sending' },
  analytics: { name: 'Analytics', note: 'Analysts sign in: standings, trends, grades, speaking discipline, commitments and audits across sessions, as charts, tables and Excel exports' },
  audit: { name: 'Audits', note: 'Auditors sign in: assigned audits and findings, progress to verify, notices; admins publish findings' },
  other: '中文',
};
const w = lang === 'en' ? en : zh;

/** A link that keeps the language. */
function href(path: string, l: Lang = lang): string {
  return l === 'en' ? `${path}?lang=en` : path;
}

function entry(id: string, path: string | null, name: string, note: string, soon = false): HTMLElement {
  const body = [h('span', { class: 'name' }, name, soon ? h('span', { class: 'tag' }, w.soon) : null), h('span', { class: 'note' }, note)];
  return h(
    'li',
    { id: `entry-${id}`, class: soon ? 'entry soon' : 'entry' },
    soon || !path ? h('div', { class: 'card' }, ...body, h('span', { class: 'path' }, path ?? '')) : h('a', { class: 'card', href: path }, ...body, h('span', { class: 'path' }, path.split('?')[0])),
  );
}

function status(id: string, label: string): HTMLElement {
  return h('li', { class: 'check' }, h('span', {}, label), h('span', { id, class: 'state', 'data-state': 'checking' }, w.checking));
}

async function check(id: string, url: string): Promise<void> {
  const el = document.getElementById(id)!;
  let ok = false;
  try {
    const res = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(5000) });
    ok = res.ok;
  } catch {
    ok = false;
  }
  el.dataset.state = ok ? 'ok' : 'bad';
  el.textContent = ok ? w.ok : w.bad;
}

function render(): void {
  document.title = w.title;
  document.body.replaceChildren(
    h(
      'main',
      { class: 'home' },
      h(
        'header',
        { class: 'head' },
        h('div', { class: 'brand' }, h('span', { class: 'mark' }, '擂'), h('h1', {}, w.title)),
        h('a', { id: 'lang', class: 'lang', href: lang === 'en' ? '/' : '/?lang=en', hreflang: lang === 'en' ? 'zh-CN' : 'en' }, w.other),
      ),
      h('p', { class: 'intro' }, w.intro),
      h('section', { class: 'health', 'aria-live': 'polite' }, h('h2', {}, w.health), h('ul', {}, status('healthz', w.live), status('readyz', w.ready))),
      h(
        'section',
        {},
        h('h2', {}, w.roles),
        h(
          'ul',
          { class: 'entries' },
          entry('console', href('/console'), w.console.name, w.console.note),
          entry('screen', href('/console'), w.screen.name, w.screen.note),
          entry('explorer', '/explorer', w.explorer.name, w.explorer.note),
          entry('hall', href('/hall'), w.hall.name, w.hall.note),
          entry('desk', href('/desk'), w.desk.name, w.desk.note),
          entry('analytics', href('/analytics'), w.analytics.name, w.analytics.note),
          entry('audit', href('/audit'), w.audit.name, w.audit.note),
        ),
      ),
    ),
  );
  void check('healthz', '/healthz');
  void check('readyz', '/readyz');
}

render();

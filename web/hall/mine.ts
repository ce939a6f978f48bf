import { ApiError } from '../shared/api';
import { h } from '../shared/dom';
import { evidencePicker } from '../shared/evidence';
import { inbox, type Inbox } from '../shared/inbox';
import type { Lang } from '../shared/i18n';

/**
 * 我的事项 on the phone: what is the cadre's to do after the meeting — the inbox, the findings about them (with the
 * answer, 申辩, while its window is open), the action items they own and their commitments, each with a form to
 * report progress (evidence hashed on the phone, the files stay on it). Read from `myDossier`.
 */

interface Finding { id: string; verdict: string; summary: string; publishedAt: string; respondBy: string | null; response: { body: string; respondedAt: string } | null }
interface ActionItem { id: string; title: string; dueAt: string; status: string; progress: number; review: { authorName: string; body: string } }
interface Commitment { id: string; title: string; target: string; dueAt: string; status: string; progress: number }
interface Dossier { cadre: { id: string; name: string; position: string }; findings: Finding[]; actionItems: ActionItem[]; commitments: Commitment[] }

const MY_DOSSIER = `query Mine { myDossier {
  cadre { id name position }
  findings { id verdict summary publishedAt respondBy response { body respondedAt } }
  actionItems { id title dueAt status progress review { authorName body } }
  commitments { id title target dueAt status progress }
} }`;
const RESPOND = `mutation Respond($f: ID!, $body: String!) { respondToFinding(findingId: $f, body: $body) { id } }`;
const REPORT = `mutation Report($input: ProgressInput!) { reportProgress(input: $input) { id } }`;

const zh = {
  title: '我的事项', notCadre: '你的账号没有对应的干部，只有消息。',
  findings: '核查结论', noFindings: '暂无关于你的核查结论', respond: '申辩', respondHint: '在期限内说明情况，之后由管理员作出决定',
  respondBy: (d: string) => `申辩期限：${d}`, closed: '申辩期已过', answered: '你的申辩', send: '提交', sent: '已提交',
  items: '督办事项', noItems: '暂无督办事项', commitments: '我的承诺', noCommitments: '暂无承诺', due: '期限', progress: (n: number) => `已核实进度 ${n}%`,
  report: '报告进度', note: '进展情况', percent: '完成百分比', reported: '进度已报告，待核查人员核实', needNote: '请填写进展情况和 0–100 的百分比', hashing: '证据指纹还在计算中',
  verdicts: { VERIFIED: '属实', PARTIAL: '部分属实', NOT_FULFILLED: '未落实', FALSIFIED: '弄虚作假' } as Record<string, string>,
  statuses: { OPEN: '进行中', DONE: '已完成', OVERDUE: '已逾期', DUE: '已到期', FULFILLED: '已兑现', PARTIAL: '部分兑现', MISSED: '未兑现' } as Record<string, string>,
  from: (who: string) => `${who}的指示`,
};
const en: typeof zh = {
  title: 'My follow-up', notCadre: 'Your account is not a cadre’s; only notices are shown.',
  findings: 'Findings', noFindings: 'No findings about you', respond: 'Respond', respondHint: 'Explain within the window; an admin then decides',
  respondBy: (d: string) => `Respond by ${d}`, closed: 'The window has closed', answered: 'Your response', send: 'Send', sent: 'Sent',
  items: 'Action items', noItems: 'No action items', commitments: 'My commitments', noCommitments: 'No commitments', due: 'Due', progress: (n: number) => `Verified progress ${n}%`,
  report: 'Report progress', note: 'What was done', percent: 'Percent done', reported: 'Progress reported; an auditor verifies it', needNote: 'Say what was done and a percentage 0–100', hashing: 'Still computing fingerprints',
  verdicts: { VERIFIED: 'Verified', PARTIAL: 'Partial', NOT_FULFILLED: 'Not fulfilled', FALSIFIED: 'Falsified' },
  statuses: { OPEN: 'Open', DONE: 'Done', OVERDUE: 'Overdue', DUE: 'Due', FULFILLED: 'Fulfilled', PARTIAL: 'Partial', MISSED: 'Missed' },
  from: (who: string) => `Directive of ${who}`,
};
const WORDS = { zh, en };

export interface MineOptions {
  lang: Lang;
  token: string;
  api<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  explain(err: unknown): string;
  /** A lost sign-in. */
  expired(err: ApiError): void;
}

export function mineView(o: MineOptions): { el: HTMLElement; dispose(): void } {
  const w = WORDS[o.lang];
  const day = (iso: string) => new Date(iso).toLocaleDateString(o.lang === 'en' ? 'en-GB' : 'zh-CN', { year: 'numeric', month: 'long', day: 'numeric' });
  const message = h('p', { class: 'form-error', role: 'alert', id: 'mine-error' });
  const fail = (err: unknown) => {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') return o.expired(err);
    message.textContent = o.explain(err);
  };
  const box: Inbox = inbox(o.lang, o.token, fail);
  const body = h('div', { class: 'mine-body' });
  const el = h('div', { class: 'mine', id: 'mine' }, h('h1', {}, w.title), message, box.el, body);
  /** What was just sent, said again under its item once the lists are read again and drawn afresh. */
  let lastSent: { key: string; text: string } | null = null;

  const done = (key: string, text: string) => {
    message.textContent = '';
    lastSent = { key, text };
    void load();
  };

  function respondForm(f: Finding): HTMLElement {
    const text = h('textarea', { id: `respond-${f.id}`, rows: 4, maxlength: 5000, 'aria-label': w.respond, placeholder: w.respondHint }) as HTMLTextAreaElement;
    const send = h('button', { type: 'button', class: 'primary', 'data-respond': f.id }, w.send) as HTMLButtonElement;
    send.addEventListener('click', async () => {
      if (!text.value.trim()) return text.focus();
      send.disabled = true;
      try {
        await o.api(RESPOND, { f: f.id, body: text.value.trim() });
        done(`finding-${f.id}`, w.sent);
      } catch (err) {
        send.disabled = false;
        fail(err);
      }
    });
    return h('div', { class: 'respond' }, h('label', { for: `respond-${f.id}` }, w.respond), text, send);
  }

  function findingCard(f: Finding): HTMLElement {
    const open = f.respondBy !== null && !f.response && new Date(f.respondBy).getTime() > Date.now();
    return h(
      'li',
      { class: `card finding ${f.verdict.toLowerCase()}`, id: `finding-${f.id}` },
      h('div', { class: 'row between' }, h('strong', { class: 'verdict' }, w.verdicts[f.verdict] ?? f.verdict), h('span', { class: 'muted' }, day(f.publishedAt))),
      h('p', {}, f.summary),
      f.response
        ? h('p', { class: 'answered' }, h('span', { class: 'muted' }, `${w.answered}：`), f.response.body)
        : f.respondBy
          ? h('p', { class: 'muted' }, open ? w.respondBy(day(f.respondBy)) : w.closed)
          : null,
      open ? respondForm(f) : null,
    );
  }

  function progressForm(target: { commitmentId?: string; actionItemId?: string }, key: string): HTMLElement {
    const note = h('textarea', { id: `note-${key}`, rows: 3, maxlength: 2000, 'aria-label': w.note, placeholder: w.note }) as HTMLTextAreaElement;
    const percent = h('input', { id: `percent-${key}`, type: 'number', min: 0, max: 100, step: 1, inputmode: 'numeric', 'aria-label': w.percent, placeholder: w.percent }) as HTMLInputElement;
    const evidence = evidencePicker(o.lang, `evidence-${key}`);
    const send = h('button', { type: 'button', class: 'primary', 'data-report': key }, w.report) as HTMLButtonElement;
    const form = h('div', { class: 'progress-form', hidden: true }, h('label', { for: `note-${key}` }, w.note), note, h('label', { for: `percent-${key}` }, w.percent), percent, evidence.el, send);
    const toggle = h('button', { type: 'button', class: 'secondary', 'data-open-report': key, onclick: () => { form.hidden = !form.hidden; } }, w.report);
    send.addEventListener('click', async () => {
      const pct = Number(percent.value);
      if (!note.value.trim() || percent.value === '' || !Number.isInteger(pct) || pct < 0 || pct > 100) return fail(new Error(w.needNote));
      if (evidence.busy()) return fail(new Error(w.hashing));
      send.disabled = true;
      try {
        await o.api(REPORT, { input: { ...target, note: note.value.trim(), percent: pct, evidence: evidence.value() } });
        done(key, w.reported);
      } catch (err) {
        send.disabled = false;
        fail(err);
      }
    });
    return h('div', {}, toggle, form);
  }

  function section(title: string, empty: string, items: HTMLElement[], id: string): HTMLElement {
    return h('section', { class: 'card', id }, h('h2', {}, title), items.length ? h('ul', { class: 'mine-list' }, ...items) : h('p', { class: 'empty' }, empty));
  }

  async function load(): Promise<void> {
    try {
      const { myDossier: d } = await o.api<{ myDossier: Dossier | null }>(MY_DOSSIER);
      if (!d) return void body.replaceChildren(h('p', { class: 'empty' }, w.notCadre));
      body.replaceChildren(
        section(w.findings, w.noFindings, [...d.findings].reverse().map(findingCard), 'mine-findings'),
        section(w.items, w.noItems, d.actionItems.map((a) => h('li', { class: `item ${a.status.toLowerCase()}`, id: `item-${a.id}` },
          h('div', { class: 'row between' }, h('strong', {}, a.title), h('span', { class: `status ${a.status.toLowerCase()}` }, w.statuses[a.status] ?? a.status)),
          h('p', { class: 'muted' }, `${w.from(a.review.authorName)}：${a.review.body}`),
          h('p', { class: 'muted' }, `${w.due} ${day(a.dueAt)} · ${w.progress(a.progress)}`),
          a.status === 'DONE' ? null : progressForm({ actionItemId: a.id }, `item-${a.id}`))), 'mine-items'),
        section(w.commitments, w.noCommitments, d.commitments.map((c) => h('li', { class: 'item', id: `commitment-${c.id}` },
          h('div', { class: 'row between' }, h('strong', {}, c.title), h('span', { class: `status ${c.status.toLowerCase()}` }, w.statuses[c.status] ?? c.status)),
          h('p', { class: 'muted' }, `${c.target} · ${w.due} ${day(c.dueAt)} · ${w.progress(c.progress)}`),
          c.status === 'FULFILLED' ? null : progressForm({ commitmentId: c.id }, `commitment-${c.id}`))), 'mine-commitments'),
      );
      if (lastSent) body.querySelector(`#${lastSent.key}`)?.append(h('p', { class: 'ok', role: 'status' }, lastSent.text));
    } catch (err) {
      fail(err);
    }
  }
  void load();
  return { el, dispose: () => box.dispose() };
}

import './audit.css';
import { ApiError, graphql } from '../shared/api';
import { byId, h, toast } from '../shared/dom';
import { evidencePicker } from '../shared/evidence';
import { inbox, type Inbox } from '../shared/inbox';
import { langFromLocation } from '../shared/i18n';
import { signInForm, signInStore, type SignedIn } from '../shared/sign-in';
import { auditWords } from './words';

/**
 * The auditors' page (核查督导, /audit): the audits assigned to you with what they check and when they are due; a
 * finding with evidence whose SHA-256 this page computes (the files stay with the auditor); the progress reports
 * waiting for verification; for an admin, the submitted findings to publish; and the inbox. Every change is one
 * request, and what the server answers is what the page shows.
 */

const lang = langFromLocation();
const w = auditWords(lang);
const store = signInStore('audit');
const TABS = ['audits', 'progress', 'publish', 'decide', 'inbox'] as const;
type Tab = (typeof TABS)[number];
const VERDICTS = ['VERIFIED', 'PARTIAL', 'NOT_FULFILLED', 'FALSIFIED'] as const;

interface CadreRef { id: string; name: string; position: string }
interface FindingRow {
  id: string;
  verdict: string;
  summary: string;
  submittedAt: string;
  publishedAt: string | null;
  supersedesId: string | null;
  respondBy: string | null;
  response: { body: string } | null;
  decisions: { kind: string; reason: string }[];
}
interface AuditRow {
  id: string;
  method: string;
  status: string;
  dueAt: string;
  claim: { indicator: string; value: number; unit: string; note: string | null; asOf: string; cadre: CadreRef } | null;
  commitment: { title: string; target: string; dueAt: string; cadre: CadreRef } | null;
  findings: FindingRow[];
}
interface EvidenceRow { kind: string; description: string; sha256: string; location: string; capturedAt: string }
interface ProgressRow {
  id: string;
  percent: number;
  note: string;
  reportedAt: string;
  cadre: CadreRef;
  commitment: { title: string; target: string } | null;
  actionItem: { title: string; dueAt: string } | null;
  evidence: EvidenceRow[];
}

const AUDITS = `query Audits { audits {
  id method status dueAt
  claim { indicator value unit note asOf cadre { id name position } }
  commitment { title target dueAt cadre { id name position } }
  findings { id verdict summary submittedAt publishedAt supersedesId respondBy response { body } decisions { kind reason } }
} }`;
const SUBMIT = `mutation Submit($a: ID!, $input: FindingInput!) { submitFinding(auditId: $a, input: $input) { id } }`;
const PUBLISH = `mutation Publish($f: ID!) { publishFinding(findingId: $f) { id publishedAt } }`;
const PENDING = `query Pending { progressReports(status: PENDING, first: 50) { edges { node {
  id percent note reportedAt cadre { id name position }
  commitment { title target } actionItem { title dueAt }
  evidence { kind description sha256 location capturedAt }
} } } }`;
const DECIDE = `mutation Decide($input: DecisionInput!) { recordDecision(input: $input) { id } }`;
const VERIFY = `mutation Verify($p: ID!, $ok: Boolean!, $note: String) { verifyProgress(progressId: $p, accepted: $ok, note: $note) { id status } }`;

let signedIn: SignedIn | null = store.read();
let box: Inbox | null = null;

const isAdmin = (s: SignedIn) => s.user.roles.includes('admin');
const when = (iso: string) => new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
const day = (iso: string) => new Date(iso).toLocaleDateString(lang === 'en' ? 'en-GB' : 'zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit' });

function explain(err: unknown): string {
  if (err instanceof ApiError) return `${w.errors[err.code] ?? err.code}：${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function fail(err: unknown): void {
  if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') return signOut(w.expired);
  toast(explain(err));
}

function signOut(message?: string): void {
  signedIn = null;
  box?.dispose();
  box = null;
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
      refuse: (roles) => (roles.includes('auditor') || roles.includes('admin') ? null : w.notAuditor),
      explain,
      signedIn: (answer) => {
        signedIn = answer;
        store.save(answer);
        route();
      },
    }),
  );
  byId('username').focus();
}

const api = <T>(query: string, variables: Record<string, unknown> = {}) => graphql<T>(query, variables, signedIn!.token);

/** Runs an action with its button disabled, reporting a refusal; answers whether it succeeded. */
async function busy(button: HTMLButtonElement, run: () => Promise<void>): Promise<boolean> {
  button.disabled = true;
  try {
    await run();
    return true;
  } catch (err) {
    fail(err);
    return false;
  } finally {
    button.disabled = false;
  }
}

function cadreLine(c: CadreRef): HTMLElement {
  return h('span', { class: 'cadre' }, h('strong', {}, c.name), ` ${c.position}`);
}

function subjectOf(a: AuditRow): HTMLElement {
  if (a.claim) {
    return h(
      'div',
      { class: 'subject' },
      h('span', { class: 'label' }, w.claim),
      cadreLine(a.claim.cadre),
      h('p', { class: 'what' }, `${a.claim.indicator}：${a.claim.note ?? ''}${a.claim.value}${a.claim.unit}`, h('span', { class: 'muted' }, `（${w.asOf} ${day(a.claim.asOf)}）`)),
    );
  }
  const c = a.commitment!;
  return h(
    'div',
    { class: 'subject' },
    h('span', { class: 'label' }, w.commitment),
    cadreLine(c.cadre),
    h('p', { class: 'what' }, c.title),
    h('p', { class: 'muted' }, `${w.target}：${c.target} · ${w.promiseDue} ${day(c.dueAt)}`),
  );
}

function findingForm(a: AuditRow, draft: FindingRow | undefined, done: () => void): HTMLElement {
  const verdicts = h('fieldset', { class: 'verdicts' }, h('legend', {}, w.verdict), ...VERDICTS.map((v) =>
    h('label', { class: `verdict ${v.toLowerCase()}` }, h('input', { type: 'radio', name: `verdict-${a.id}`, value: v, checked: draft?.verdict === v }), w.verdicts[v])));
  const summary = h('textarea', { id: `summary-${a.id}`, class: 'summary', rows: 4, maxlength: 5000, placeholder: w.summaryHint, 'aria-label': w.summary }, draft?.summary ?? '') as HTMLTextAreaElement;
  const evidence = evidencePicker(lang, `evidence-${a.id}`);
  const send = h('button', { type: 'submit', class: 'primary' }, w.send) as HTMLButtonElement;
  const form = h('form', { class: 'finding-form', id: `finding-${a.id}` }, verdicts, h('label', { for: `summary-${a.id}` }, w.summary), summary, h('h4', {}, w.evidence), evidence.el, h('div', { class: 'row' }, send)) as HTMLFormElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const verdict = (form.querySelector(`input[name="verdict-${a.id}"]:checked`) as HTMLInputElement | null)?.value;
    if (!verdict || !summary.value.trim()) return toast(w.needVerdict);
    if (evidence.busy()) return toast(w.stillHashing);
    void busy(send, async () => {
      await api(SUBMIT, { a: a.id, input: { verdict, summary: summary.value.trim(), evidence: evidence.value() } });
      toast(w.sent, 'ok');
      done();
    });
  });
  return form;
}

function auditCard(a: AuditRow, reload: () => void): HTMLElement {
  const draft = a.findings.find((f) => f.publishedAt === null);
  const late = a.status === 'ASSIGNED' && new Date(a.dueAt).getTime() < Date.now();
  const open = h('button', { type: 'button', class: 'primary', 'data-open': a.id }, draft ? w.resubmit : w.submit) as HTMLButtonElement;
  const slot = h('div', { class: 'form-slot' });
  open.addEventListener('click', () => {
    open.hidden = true;
    slot.replaceChildren(findingForm(a, draft, reload));
  });
  return h(
    'article',
    { class: 'card audit', id: `audit-${a.id}`, 'data-status': a.status },
    h('header', { class: 'audit-head' }, h('span', { class: `method ${a.method.toLowerCase()}` }, w.methods[a.method] ?? a.method), h('span', { class: 'status' }, w.statuses[a.status] ?? a.status), h('span', { class: late ? 'due late' : 'due' }, `${w.due} ${day(a.dueAt)}${late ? ` · ${w.overdue}` : ''}`)),
    subjectOf(a),
    draft ? h('p', { class: 'draft' }, h('span', { class: 'label' }, w.draft), `${w.verdicts[draft.verdict]} · ${draft.summary}`) : null,
    a.status === 'WITHDRAWN' || a.status === 'CLOSED' ? null : h('div', { class: 'row' }, open),
    slot,
  );
}

async function auditsPanel(panel: HTMLElement): Promise<void> {
  const { audits } = await api<{ audits: AuditRow[] }>(AUDITS);
  const mine = audits.filter((a) => a.status === 'ASSIGNED' || a.status === 'REPORTED').sort((x, y) => x.dueAt.localeCompare(y.dueAt));
  const finished = audits.filter((a) => a.status === 'CLOSED');
  const reload = () => void auditsPanel(panel).catch(fail);
  panel.replaceChildren(
    h('h1', {}, w.tabs.audits),
    mine.length ? h('div', { class: 'cards', id: 'audit-list' }, ...mine.map((a) => auditCard(a, reload))) : h('p', { class: 'empty', id: 'audit-list' }, w.noAudits),
  );
  if (finished.length) panel.append(h('details', { class: 'finished' }, h('summary', {}, `${w.done}（${finished.length}）`), h('div', { class: 'cards' }, ...finished.map((a) => auditCard(a, reload)))));
}

function progressCard(p: ProgressRow, reload: () => void): HTMLElement {
  const accept = h('button', { type: 'button', class: 'primary', 'data-accept': p.id }, w.accept) as HTMLButtonElement;
  const reject = h('button', { type: 'button', class: 'danger', 'data-reject': p.id }, w.reject) as HTMLButtonElement;
  const note = h('textarea', { rows: 2, maxlength: 1000, placeholder: w.rejectNote, 'aria-label': w.rejectNote, class: 'reject-note', hidden: true }) as HTMLTextAreaElement;
  accept.addEventListener('click', () => void busy(accept, async () => {
    await api(VERIFY, { p: p.id, ok: true, note: note.value.trim() || null });
    toast(w.accepted, 'ok');
    reload();
  }));
  reject.addEventListener('click', () => {
    if (note.hidden) {
      note.hidden = false;
      reject.textContent = w.confirmReject;
      return note.focus();
    }
    if (!note.value.trim()) return note.focus();
    void busy(reject, async () => {
      await api(VERIFY, { p: p.id, ok: false, note: note.value.trim() });
      toast(w.rejected, 'ok');
      reload();
    });
  });
  const subject = p.commitment
    ? h('p', { class: 'what' }, h('span', { class: 'label' }, w.commitment), `${p.commitment.title}（${w.target}：${p.commitment.target}）`)
    : h('p', { class: 'what' }, h('span', { class: 'label' }, w.actionItem), `${p.actionItem!.title}（${w.due} ${day(p.actionItem!.dueAt)}）`);
  return h(
    'article',
    { class: 'card progress', id: `progress-${p.id}` },
    h('header', { class: 'audit-head' }, cadreLine(p.cadre), h('span', { class: 'percent' }, `${w.percent} ${p.percent}%`), h('span', { class: 'due' }, `${w.reported} ${when(p.reportedAt)}`)),
    subject,
    h('p', { class: 'note' }, p.note),
    p.evidence.length
      ? h('ul', { class: 'evidence-view' }, ...p.evidence.map((e) => h('li', {}, `${e.description}（${e.location}，${day(e.capturedAt)}）`, h('code', { title: e.sha256 }, e.sha256))))
      : h('p', { class: 'muted' }, w.noEvidence),
    note,
    h('div', { class: 'row' }, accept, reject),
  );
}

async function progressPanel(panel: HTMLElement): Promise<void> {
  const { progressReports } = await api<{ progressReports: { edges: { node: ProgressRow }[] } }>(PENDING);
  const rows = progressReports.edges.map((e) => e.node);
  const reload = () => void progressPanel(panel).catch(fail);
  panel.replaceChildren(h('h1', {}, w.progressTitle), rows.length ? h('div', { class: 'cards', id: 'progress-list' }, ...rows.map((p) => progressCard(p, reload))) : h('p', { class: 'empty', id: 'progress-list' }, w.noProgress));
}

async function publishPanel(panel: HTMLElement): Promise<void> {
  const { audits } = await api<{ audits: AuditRow[] }>(AUDITS);
  const waiting = audits.flatMap((a) => a.findings.filter((f) => f.publishedAt === null).map((f) => ({ a, f })));
  const reload = () => void publishPanel(panel).catch(fail);
  panel.replaceChildren(
    h('h1', {}, w.publishTitle),
    h('p', { class: 'hint' }, w.publishHint),
    waiting.length
      ? h('div', { class: 'cards', id: 'publish-list' }, ...waiting.map(({ a, f }) => {
          const publish = h('button', { type: 'button', class: 'primary', 'data-publish': f.id }, w.publish) as HTMLButtonElement;
          publish.addEventListener('click', () => void busy(publish, async () => {
            await api(PUBLISH, { f: f.id });
            toast(w.published, 'ok');
            reload();
          }));
          return h('article', { class: 'card audit', id: `finding-${f.id}` },
            h('header', { class: 'audit-head' }, h('span', { class: `method ${a.method.toLowerCase()}` }, w.methods[a.method] ?? a.method), h('span', { class: `verdict-tag ${f.verdict.toLowerCase()}` }, w.verdicts[f.verdict] ?? f.verdict), h('span', { class: 'due' }, when(f.submittedAt))),
            subjectOf(a), h('p', { class: 'note' }, f.summary), h('div', { class: 'row' }, publish));
        }))
      : h('p', { class: 'empty', id: 'publish-list' }, w.noPublish),
  );
}

function decisionCard(a: AuditRow, f: FindingRow, reload: () => void): HTMLElement {
  const cadre = (a.claim ?? a.commitment)!.cadre;
  const waiting = !f.response && f.respondBy !== null && new Date(f.respondBy).getTime() > Date.now();
  const kinds = h('fieldset', { class: 'verdicts' }, h('legend', {}, w.decide), ...['ACCOUNTABILITY', 'NO_ACTION', 'COMMENDATION'].map((k) =>
    h('label', { class: 'verdict' }, h('input', { type: 'radio', name: `kind-${f.id}`, value: k }), w.decisionKinds[k])));
  const reason = h('textarea', { rows: 2, maxlength: 2000, placeholder: w.reason, 'aria-label': w.reason, class: 'decision-reason' }) as HTMLTextAreaElement;
  const record = h('button', { type: 'button', class: 'primary', 'data-decide': f.id }, w.decide) as HTMLButtonElement;
  record.addEventListener('click', () => {
    const kind = (kinds.querySelector('input:checked') as HTMLInputElement | null)?.value;
    if (!kind || !reason.value.trim()) return reason.focus();
    void busy(record, async () => {
      await api(DECIDE, { input: { cadreId: cadre.id, kind, reason: reason.value.trim(), findingId: f.id } });
      toast(w.decided, 'ok');
      reload();
    });
  });
  return h(
    'article',
    { class: 'card audit', id: `decide-${f.id}` },
    h('header', { class: 'audit-head' }, h('span', { class: `verdict-tag ${f.verdict.toLowerCase()}` }, w.verdicts[f.verdict] ?? f.verdict), h('span', { class: 'due' }, when(f.publishedAt!))),
    subjectOf(a),
    h('p', { class: 'note' }, f.summary),
    f.response ? h('p', { class: 'draft' }, h('span', { class: 'label' }, w.response), f.response.body) : h('p', { class: 'muted' }, waiting ? w.awaiting(day(f.respondBy!)) : w.noResponse),
    ...f.decisions.map((d) => h('p', { class: 'muted' }, w.decidedAs(w.decisionKinds[d.kind] ?? d.kind, d.reason))),
    waiting || f.decisions.length ? null : h('div', {}, kinds, reason, h('div', { class: 'row' }, record)),
  );
}

async function decidePanel(panel: HTMLElement): Promise<void> {
  const { audits } = await api<{ audits: AuditRow[] }>(AUDITS);
  // Published adverse findings still standing (not corrected), the newest first.
  const adverse = audits
    .flatMap((a) => a.findings.filter((f) => f.publishedAt !== null && f.verdict !== 'VERIFIED').map((f) => ({ a, f })))
    .filter(({ a, f }) => !a.findings.some((g) => g.supersedesId === f.id && g.publishedAt !== null))
    .sort((x, y) => y.f.publishedAt!.localeCompare(x.f.publishedAt!));
  const reload = () => void decidePanel(panel).catch(fail);
  panel.replaceChildren(
    h('h1', {}, w.decideTitle),
    h('p', { class: 'hint' }, w.decideHint),
    adverse.length ? h('div', { class: 'cards', id: 'decide-list' }, ...adverse.map(({ a, f }) => decisionCard(a, f, reload))) : h('p', { class: 'empty', id: 'decide-list' }, w.noDecide),
  );
}

const tabOf = (): Tab => (TABS as readonly string[]).includes(location.hash.slice(1)) ? (location.hash.slice(1) as Tab) : 'audits';

function showPage(session: SignedIn): void {
  const tabs = TABS.filter((t) => (t !== 'publish' && t !== 'decide') || isAdmin(session));
  const tab = tabs.includes(tabOf()) ? tabOf() : 'audits';
  const panel = h('main', { class: 'panel-area', id: 'panel' });
  box ??= inbox(lang, session.token, fail, (n) => {
    const badge = document.getElementById('inbox-badge');
    if (badge) badge.textContent = n ? String(n) : '';
  });
  byId('app').replaceChildren(
    h('div', { class: 'audit-page' },
      h('header', { class: 'bar' },
        h('span', { class: 'bar-title' }, w.title),
        h('nav', { class: 'tabs', 'aria-label': w.title }, ...tabs.map((t) =>
          h('a', { href: `#${t}`, id: `tab-${t}`, class: t === tab ? 'tab active' : 'tab', 'aria-current': t === tab ? 'page' : null }, w.tabs[t], t === 'inbox' ? h('span', { class: 'badge', id: 'inbox-badge' }) : null))),
        h('span', { class: 'who' }, session.user.displayName),
        h('button', { type: 'button', id: 'sign-out', onclick: () => signOut() }, w.signOut)),
      panel),
  );
  if (tab === 'inbox') {
    panel.replaceChildren(box.el);
    void box.refresh();
    return;
  }
  const show = { audits: auditsPanel, progress: progressPanel, publish: publishPanel, decide: decidePanel }[tab];
  void show(panel).catch(fail);
}

function route(): void {
  if (!signedIn) return showLogin();
  showPage(signedIn);
}

document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
document.body.replaceChildren(h('div', { id: 'app' }), h('div', { id: 'toasts' }));
window.addEventListener('hashchange', route);
route();

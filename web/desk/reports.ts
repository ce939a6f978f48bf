import { h, setText } from '../shared/dom';
import { formatWhen, loadCadres, loadRegions, loadSessions, regionSelect, type Desk } from './desk-api';

type Kind = 'EVALUATION' | 'MINUTES' | 'DOSSIER';

interface Submission {
  sentAt: string;
  note: string | null;
  sentBy: { displayName: string } | null;
}

const PATHS: Record<Kind, string> = { EVALUATION: 'evaluation', MINUTES: 'minutes', DOSSIER: 'dossier' };

/** One report: its PDF, and whether and when it was sent (报送), with the button that records it. */
function reportRow(desk: Desk, kind: Kind, subjectId: string, label: string): HTMLElement {
  const w = desk.w;
  const id = PATHS[kind];
  const status = h('span', { class: 'sent', id: `sent-${id}` }, '…');
  const note = h('input', { id: `sent-note-${id}`, placeholder: w.sentNote, maxLength: 500 });
  const show = (rows: readonly Submission[]) => {
    const last = rows[rows.length - 1];
    setText(status, last ? w.sentAt(formatWhen(last.sentAt, desk.lang), last.sentBy?.displayName ?? '') + (last.note ? `（${last.note}）` : '') : w.notSent);
    status.dataset.sent = last ? 'true' : 'false';
  };
  void desk
    .api<{ reportSubmissions: Submission[] }>(`query($k: ReportKind!, $id: ID!) { reportSubmissions(kind: $k, subjectId: $id) { sentAt note sentBy { displayName } } }`, { k: kind, id: subjectId })
    .then((d) => show(d.reportSubmissions))
    .catch((err) => desk.fail(err));
  const mark = h('button', { type: 'button', id: `mark-sent-${id}` }, w.markSent);
  mark.addEventListener('click', () => {
    mark.disabled = true;
    void desk
      .api<{ markReportSent: Submission }>(`mutation($k: ReportKind!, $id: ID!, $n: String) { markReportSent(kind: $k, subjectId: $id, note: $n) { sentAt note sentBy { displayName } } }`, {
        k: kind,
        id: subjectId,
        n: note.value.trim() || null,
      })
      .then((d) => show([d.markReportSent]))
      .catch((err) => desk.fail(err))
      .finally(() => (mark.disabled = false));
  });
  const href = desk.fileUrl(`/reports/${id}/${encodeURIComponent(subjectId)}.pdf`);
  return h(
    'div',
    { class: 'report-row', 'data-kind': kind },
    h('strong', {}, label),
    h('a', { class: 'button', id: `report-${id}`, href, download: `${id}-${subjectId}.pdf` }, w.download),
    note,
    mark,
    status,
  );
}

/** 报告与报送: a session's 评议结果 and 活动纪要, a cadre's 干部档案. */
export async function reportsPanel(desk: Desk): Promise<HTMLElement> {
  const w = desk.w;
  const [all, regions] = await Promise.all([loadSessions(desk), loadRegions(desk)]);
  // Reports are about meetings held: those in their evaluation or closed, newest first.
  const sessions = all.filter((s) => s.phase === 'EVALUATION' || s.phase === 'CLOSED');
  const label = (s: (typeof sessions)[number]) => `${w.sessionNo(s.number)} ${s.title} · ${s.sealedAt ? w.sealed : (w.phases[s.phase] ?? s.phase)}`;
  const pickSession = h('select', { id: 'report-session' }, ...(sessions.length ? sessions.map((s) => h('option', { value: s.id }, label(s))) : [h('option', { value: '' }, w.noHeld)]));
  const sessionReports = h('div', { id: 'session-reports' });
  const showSession = () => {
    if (!pickSession.value) return;
    sessionReports.replaceChildren(reportRow(desk, 'EVALUATION', pickSession.value, w.evaluationReport), reportRow(desk, 'MINUTES', pickSession.value, w.minutesReport));
  };
  pickSession.addEventListener('change', showSession);
  // The newest sealed session is the one usually reported on.
  const done = sessions.find((s) => s.sealedAt) ?? sessions[0];
  if (done) pickSession.value = done.id;
  showSession();

  const region = regionSelect('dossier-region', regions, w.region);
  const cadre = h('select', { id: 'dossier-cadre', disabled: true }, h('option', { value: '' }, w.pickCadre));
  const dossier = h('div', { id: 'dossier-report' });
  region.addEventListener('change', () => {
    cadre.disabled = true;
    dossier.replaceChildren();
    if (!region.value) return;
    void loadCadres(desk, region.value)
      .then((rows) => {
        cadre.replaceChildren(h('option', { value: '' }, w.pickCadre), ...rows.map((c) => h('option', { value: c.id }, `${c.name} · ${c.position}`)));
        cadre.disabled = false;
      })
      .catch((err) => desk.fail(err));
  });
  cadre.addEventListener('change', () => dossier.replaceChildren(...(cadre.value ? [reportRow(desk, 'DOSSIER', cadre.value, w.dossierReport)] : [])));

  return h(
    'section',
    { class: 'card panel', id: 'reports' },
    h('h2', {}, w.reportsTitle),
    h('p', { class: 'hint' }, w.reportsHint),
    h('div', { class: 'row' }, pickSession),
    sessionReports,
    h('h3', {}, w.dossierReport),
    h('div', { class: 'row' }, region, cadre),
    dossier,
  );
}

import { h, setText } from '../shared/dom';
import { table, upload, type Desk, type ImportAnswer } from './desk-api';

interface Change {
  column?: unknown;
  field?: unknown;
  from?: unknown;
  to?: unknown;
  before?: unknown;
  after?: unknown;
}

/** The 姓名 a row creates or keeps, from its changes when the answer does not name it. */
function nameOf(item: { name?: string; changes?: unknown[] }): string {
  if (item.name) return item.name;
  const change = (item.changes ?? []).find((c): c is Change => !!c && typeof c === 'object' && (c as Change).column === '姓名');
  return change?.to ? String(change.to) : '';
}

/** How one change of a row reads: `职务: 旧 → 新`, whatever shape the server gives it; roles in the page's words. */
function changeText(change: unknown, roles: Record<string, string>): string {
  if (typeof change === 'string') return change;
  if (change && typeof change === 'object') {
    const c = change as Change;
    const field = c.column ?? c.field;
    const shown = (v: unknown) => {
      if (v === undefined || v === null || v === '') return '—';
      return field === '角色' ? String(v).split(',').map((r) => roles[r.trim()] ?? r).join('、') : String(v);
    };
    if (field !== undefined) return `${String(field)}: ${shown(c.from ?? c.before)} → ${shown(c.to ?? c.after)}`;
  }
  return JSON.stringify(change);
}

/**
 * An import from a spreadsheet: choose the file, see what it would do row by row and every error with its row and
 * column, then apply — only a preview without errors can be applied, and the server refuses a file with errors
 * anyway. Used for the roster and for a session's attendees.
 */
export function importBox(desk: Desk, opts: { id: string; route: () => string; applied?: (answer: ImportAnswer) => void }): HTMLElement {
  const w = desk.w;
  // The browser's own file button speaks the browser's language; this one speaks the page's.
  const file = h('input', { type: 'file', id: `${opts.id}-file`, class: 'file-input', accept: '.xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv' });
  const chosen = h('span', { class: 'file-name', id: `${opts.id}-file-name` }, '');
  const pick = h('label', { class: 'button', for: `${opts.id}-file` }, w.chooseFile);
  const previewButton = h('button', { type: 'button', id: `${opts.id}-preview` }, w.preview);
  const applyButton = h('button', { type: 'button', class: 'primary', id: `${opts.id}-apply`, disabled: true }, w.apply);
  const summary = h('p', { class: 'import-summary', id: `${opts.id}-summary`, role: 'status' });
  const details = h('div', { class: 'import-details', id: `${opts.id}-details` });
  let previewed: File | null = null;

  const show = (answer: ImportAnswer) => {
    const lines: string[] = [];
    lines.push(answer.mode === 'apply' && answer.errors.length === 0 ? w.applied(answer.created, answer.updated, answer.unchanged) : w.summary(answer.rows, answer.created, answer.updated, answer.unchanged));
    lines.push(answer.errors.length ? w.errorsFound(answer.errors.length) : answer.mode === 'preview' ? w.noErrors : '');
    setText(summary, lines.filter(Boolean).join(' · '));
    summary.dataset.state = answer.errors.length ? 'error' : 'ok';
    const parts: HTMLElement[] = [];
    if (answer.errors.length) {
      parts.push(table(`${opts.id}-errors`, [w.row, w.column, w.message], answer.errors.map((e) => [e.row, e.column ?? '', e.message]), () => 'bad'));
    }
    const items = (answer.items ?? []).filter((i) => answer.mode === 'preview' || i.action !== 'unchanged');
    if (items.length) {
      parts.push(
        table(
          `${opts.id}-items`,
          [w.row, w.username, w.name, w.action, w.changes],
          items.slice(0, 500).map((i) => [i.row, i.username ?? '', nameOf(i), h('span', { class: `action ${i.action}` }, w.actions[i.action] ?? i.action), (i.changes ?? []).map((c) => changeText(c, w.roles)).join('；')]),
        ),
      );
    }
    details.replaceChildren(...parts);
  };

  const send = async (mode: 'preview' | 'apply') => {
    const chosen = file.files?.[0];
    if (!chosen) {
      desk.toast(w.noFile, 'error');
      return;
    }
    const route = opts.route();
    const answer = await upload(desk, `${route}${route.includes('?') ? '&' : '?'}mode=${mode}`, chosen);
    show(answer);
    previewed = mode === 'preview' && answer.errors.length === 0 ? chosen : null;
    applyButton.disabled = previewed === null;
    if (mode === 'apply' && answer.errors.length === 0) opts.applied?.(answer);
  };
  const run = (mode: 'preview' | 'apply') => () => {
    previewButton.disabled = applyButton.disabled = true;
    void send(mode)
      .catch((err) => desk.fail(err))
      .finally(() => {
        previewButton.disabled = false;
        applyButton.disabled = previewed === null;
      });
  };
  previewButton.addEventListener('click', run('preview'));
  applyButton.addEventListener('click', run('apply'));
  file.addEventListener('change', () => {
    setText(chosen, file.files?.[0]?.name ?? '');
    previewed = null;
    applyButton.disabled = true;
    setText(summary, '');
    details.replaceChildren();
  });
  return h('div', { class: 'import-box', id: opts.id }, h('div', { class: 'row' }, file, pick, chosen, previewButton, applyButton), summary, details);
}

/** 干部名册: the template, and the roster's import. */
export function rosterPanel(desk: Desk): HTMLElement {
  const w = desk.w;
  return h(
    'section',
    { class: 'card panel', id: 'roster' },
    h('h2', {}, w.rosterTitle),
    h('p', { class: 'hint' }, w.rosterHint),
    h('p', {}, h('a', { id: 'roster-template', class: 'button', href: desk.fileUrl('/imports/roster-template.xlsx'), download: 'roster-template.xlsx' }, w.template)),
    importBox(desk, { id: 'roster-import', route: () => '/imports/roster' }),
  );
}

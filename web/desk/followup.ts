import { h } from '../shared/dom';
import { formatWhen, loadSessions, table, type Desk } from './desk-api';

/**
 * 督办事项: a held session's DIRECTIVE 点评, each handed to the cadre responsible with a due date
 * (`createActionItem`), and every action item with its derived status and verified progress (docs/followup.md).
 */

interface Speaker { id: string; cadre: { id: string; name: string; position: string } }
interface Directive { id: string; speechId: string; authorName: string; body: string; at: string }
interface Item { id: string; title: string; dueAt: string; status: string; progress: number; cadre: { name: string; position: string } }

const SPEAKERS = `query($s: ID!) { session(id: $s) { speeches { id cadre { id name position } } } reviews(sessionId: $s) { id speechId tone authorName body at } }`;
const CREATE = `mutation($input: ActionItemInput!) { createActionItem(input: $input) { id } }`;
const ITEMS = `{ actionItems(first: 100) { totalCount edges { node { id title dueAt status progress cadre { name position } } } } }`;

/** A datetime-local value a month from now, in the browser's time zone. */
function inAMonth(): string {
  const d = new Date(Date.now() + 30 * 86_400_000);
  d.setHours(18, 0, 0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export async function followupPanel(desk: Desk): Promise<HTMLElement> {
  const w = desk.w;
  const sessions = (await loadSessions(desk)).filter((s) => s.phase !== 'SCHEDULED');
  const pick = h('select', { id: 'follow-session' }, ...(sessions.length ? sessions.map((s) => h('option', { value: s.id }, `${w.sessionNo(s.number)} ${s.title}`)) : [h('option', { value: '' }, w.noHeld)]));
  const directives = h('div', { id: 'directives' });
  const items = h('div', { id: 'action-items' });

  const loadItems = async () => {
    const { actionItems } = await desk.api<{ actionItems: { edges: { node: Item }[] } }>(ITEMS);
    const rows = actionItems.edges.map((e) => e.node);
    items.replaceChildren(
      rows.length
        ? table('items-table', [w.itemTitle, w.owner, w.dueAt, w.itemStatus, w.itemProgress], rows.map((i) => [i.title, `${i.cadre.name} · ${i.cadre.position}`, formatWhen(i.dueAt, desk.lang), h('span', { class: `item-status ${i.status.toLowerCase()}` }, w.statuses[i.status] ?? i.status), w.progressOf(i.progress)]))
        : h('p', { class: 'empty' }, w.noItems),
    );
  };

  const directiveForm = (d: Directive, speakers: Speaker[]): HTMLElement => {
    const title = h('input', { class: 'item-title', value: d.body.slice(0, 60), maxLength: 200, 'aria-label': w.itemTitle }) as HTMLInputElement;
    const speech = speakers.find((s) => s.id === d.speechId);
    const owner = h('select', { class: 'item-owner', 'aria-label': w.owner }, ...speakers.map((s) => h('option', { value: s.cadre.id, selected: s.id === d.speechId }, `${s.cadre.name} · ${s.cadre.position}`))) as HTMLSelectElement;
    const due = h('input', { type: 'datetime-local', class: 'item-due', value: inAMonth(), 'aria-label': w.dueAt }) as HTMLInputElement;
    const create = h('button', { type: 'button', class: 'primary', 'data-directive': d.id }, w.createItem) as HTMLButtonElement;
    create.addEventListener('click', () => {
      create.disabled = true;
      void desk
        .api(CREATE, { input: { reviewId: d.id, title: title.value.trim(), ownerCadreId: owner.value, dueAt: new Date(due.value).toISOString() } })
        .then(async () => {
          desk.toast(w.itemCreated, 'ok');
          await loadItems();
        })
        .catch((err) => desk.fail(err))
        .finally(() => (create.disabled = false));
    });
    return h(
      'div',
      { class: 'directive block', id: `directive-${d.id}` },
      h('p', {}, h('strong', {}, w.directiveOf(d.authorName)), d.body, speech ? h('span', { class: 'hint' }, ` — ${speech.cadre.name}`) : null),
      h('div', { class: 'row' }, title, owner, due, create),
    );
  };

  const showSession = async () => {
    directives.replaceChildren();
    if (!pick.value) return;
    const data = await desk.api<{ session: { speeches: Speaker[] } | null; reviews: (Directive & { tone: string })[] }>(SPEAKERS, { s: pick.value });
    const speakers = data.session?.speeches ?? [];
    const list = data.reviews.filter((r) => r.tone === 'DIRECTIVE');
    directives.replaceChildren(...(list.length ? list.map((d) => directiveForm(d, speakers)) : [h('p', { class: 'empty' }, w.noDirectives)]));
  };
  pick.addEventListener('change', () => void showSession().catch((err) => desk.fail(err)));
  await Promise.all([showSession(), loadItems()]);

  return h(
    'section',
    { class: 'card panel', id: 'followup' },
    h('h2', {}, w.followTitle),
    h('p', { class: 'hint' }, w.followHint),
    h('div', { class: 'row' }, pick),
    h('h3', {}, w.directives),
    directives,
    h('div', { class: 'row' }, h('h3', {}, w.itemsTitle), h('a', { class: 'button', id: 'items-csv', href: desk.fileUrl('/exports/action-items.csv'), download: 'action-items.csv' }, 'CSV'), h('a', { class: 'button', id: 'items-xlsx', href: desk.fileUrl('/exports/action-items.xlsx'), download: 'action-items.xlsx' }, 'XLSX')),
    items,
  );
}

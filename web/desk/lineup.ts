import { h, setText } from '../shared/dom';
import { loadCadres, regionSelect, type CadreRow, type Desk, type RegionRow } from './desk-api';

/** One slot of the line-up being edited. */
export interface Slot {
  cadre: CadreRow;
  minutes: number;
}

export const DEFAULT_MINUTES = 8;

/**
 * The line-up editor: drag a speaker to a new place (or use 上移 / 下移 from the keyboard), set each one's minutes,
 * add from a unit's cadres, remove. Nothing is sent until 保存; the server then replaces the whole line-up.
 */
export function lineupEditor(desk: Desk, opts: { slots: Slot[]; locked: boolean; regions: readonly RegionRow[]; save(slots: readonly Slot[]): Promise<void> }): HTMLElement {
  const w = desk.w;
  const slots = opts.slots.slice();
  const list = h('ol', { class: 'lineup', id: 'lineup' });
  const status = h('p', { class: 'hint', id: 'lineup-status', role: 'status' });
  let dragged: number | null = null;

  const move = (from: number, to: number) => {
    if (to < 0 || to >= slots.length || from === to) return;
    const [slot] = slots.splice(from, 1);
    slots.splice(to, 0, slot);
    render();
  };

  function render(): void {
    if (!slots.length) {
      list.replaceChildren(h('li', { class: 'empty' }, w.emptyLineup));
      return;
    }
    list.replaceChildren(
      ...slots.map((slot, i) => {
        const minutes = h('input', { type: 'number', min: 1, max: 60, step: 1, value: String(slot.minutes), class: 'minutes', 'aria-label': `${slot.cadre.name} ${w.minutes}`, disabled: opts.locked });
        minutes.addEventListener('change', () => {
          const m = Math.round(Number(minutes.value));
          slot.minutes = Number.isFinite(m) && m >= 1 && m <= 60 ? m : slot.minutes;
          minutes.value = String(slot.minutes);
        });
        const li = h(
          'li',
          { class: 'slot', draggable: !opts.locked ? 'true' : null, 'data-cadre': slot.cadre.id },
          h('span', { class: 'handle', 'aria-hidden': 'true' }, '⠿'),
          h('span', { class: 'order' }, String(i + 1)),
          h('span', { class: 'who' }, h('strong', {}, slot.cadre.name), h('small', {}, `${slot.cadre.region.name} · ${slot.cadre.position}`)),
          h('label', { class: 'time' }, minutes, w.minutes),
          h('button', { type: 'button', class: 'small', title: w.up, 'aria-label': `${w.up} ${slot.cadre.name}`, disabled: opts.locked || i === 0, onclick: () => move(i, i - 1) }, '↑'),
          h('button', { type: 'button', class: 'small', title: w.down, 'aria-label': `${w.down} ${slot.cadre.name}`, disabled: opts.locked || i === slots.length - 1, onclick: () => move(i, i + 1) }, '↓'),
          h('button', { type: 'button', class: 'small danger', 'aria-label': `${w.remove} ${slot.cadre.name}`, disabled: opts.locked, onclick: () => (slots.splice(i, 1), render()) }, w.remove),
        );
        li.addEventListener('dragstart', (e) => {
          dragged = i;
          li.classList.add('dragging');
          e.dataTransfer?.setData('text/plain', slot.cadre.id);
          if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
        });
        li.addEventListener('dragend', () => li.classList.remove('dragging'));
        li.addEventListener('dragover', (e) => {
          if (dragged === null) return;
          e.preventDefault();
          li.classList.add('over');
        });
        li.addEventListener('dragleave', () => li.classList.remove('over'));
        li.addEventListener('drop', (e) => {
          e.preventDefault();
          li.classList.remove('over');
          if (dragged !== null) move(dragged, i);
          dragged = null;
        });
        return li;
      }),
    );
  }

  const region = regionSelect('add-region', opts.regions, w.region);
  const cadre = h('select', { id: 'add-cadre', disabled: true }, h('option', { value: '' }, w.cadre));
  let cadres: CadreRow[] = [];
  region.addEventListener('change', () => {
    cadre.disabled = true;
    if (!region.value) return;
    void loadCadres(desk, region.value)
      .then((rows) => {
        cadres = rows;
        cadre.replaceChildren(h('option', { value: '' }, w.cadre), ...rows.map((c) => h('option', { value: c.id }, `${c.name} · ${c.position}`)));
        cadre.disabled = false;
      })
      .catch((err) => desk.fail(err));
  });
  const add = h('button', { type: 'button', id: 'add-speaker', disabled: opts.locked }, w.addSpeaker);
  add.addEventListener('click', () => {
    const pick = cadres.find((c) => c.id === cadre.value);
    if (!pick || slots.some((s) => s.cadre.id === pick.id)) return;
    slots.push({ cadre: pick, minutes: DEFAULT_MINUTES });
    render();
  });
  const save = h('button', { type: 'button', class: 'primary', id: 'save-lineup', disabled: opts.locked }, w.saveLineup);
  save.addEventListener('click', () => {
    save.disabled = true;
    void opts
      .save(slots)
      .then(() => setText(status, w.lineupSaved))
      .catch((err) => desk.fail(err))
      .finally(() => (save.disabled = false));
  });
  render();
  return h(
    'div',
    { class: 'lineup-editor' },
    h('p', { class: 'hint' }, opts.locked ? w.lineupLocked : w.lineupHint),
    list,
    opts.locked ? null : h('div', { class: 'row' }, region, cadre, add),
    opts.locked ? null : h('div', { class: 'row' }, save, status),
  );
}

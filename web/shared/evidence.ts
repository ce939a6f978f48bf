import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { h } from './dom';
import type { Lang } from './i18n';

/**
 * Evidence files as the pages send them: the SHA-256 of each file is computed here, in the browser, and only the
 * hash and what the person says about the file go to the server; the file stays with them. The hash is computed
 * in JavaScript (not `crypto.subtle`, which a page served over plain HTTP on a hall's network does not have),
 * a megabyte at a time, so a long video does not have to fit in memory.
 */

export interface EvidenceInput {
  kind: string;
  description: string;
  sha256: string;
  capturedAt: string;
  location: string;
}

const CHUNK = 1 << 20;

export async function sha256OfFile(file: Blob): Promise<string> {
  const hash = sha256.create();
  for (let at = 0; at < file.size; at += CHUNK) hash.update(new Uint8Array(await file.slice(at, at + CHUNK).arrayBuffer()));
  return bytesToHex(hash.digest());
}

const KINDS = ['PHOTO', 'DOCUMENT', 'LEDGER', 'INTERVIEW', 'VIDEO'] as const;
const WORDS = {
  zh: {
    choose: '添加证据文件', hashing: '正在计算 SHA-256…', kind: '类型', description: '说明', location: '地点', capturedAt: '拍摄/形成时间', remove: '移除',
    kinds: { PHOTO: '照片', DOCUMENT: '文件', LEDGER: '台账', INTERVIEW: '访谈记录', VIDEO: '视频' } as Record<string, string>,
    hint: '文件留在本机，只上传其 SHA-256 指纹。', missing: '请填写每个证据的说明和地点',
  },
  en: {
    choose: 'Add evidence files', hashing: 'Computing SHA-256…', kind: 'Kind', description: 'Description', location: 'Place', capturedAt: 'Captured', remove: 'Remove',
    kinds: { PHOTO: 'Photo', DOCUMENT: 'Document', LEDGER: 'Ledger', INTERVIEW: 'Interview', VIDEO: 'Video' } as Record<string, string>,
    hint: 'Files stay on this device; only their SHA-256 fingerprints are sent.', missing: 'Give each item a description and a place',
  },
};

interface Row {
  el: HTMLElement;
  read(): EvidenceInput | null;
}

/** datetime-local's value for an instant, in the device's time zone. */
function localValue(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/**
 * A list of evidence items: choosing files hashes each and adds a row to describe it. `value()` answers the items,
 * or throws with a sentence to show when one is incomplete.
 */
export function evidencePicker(lang: Lang, id: string, defaults: { location?: string } = {}): { el: HTMLElement; value(): EvidenceInput[]; busy(): boolean } {
  const w = WORDS[lang];
  const rows: Row[] = [];
  const list = h('ul', { class: 'evidence-list', id: `${id}-list` });
  let hashing = 0;
  const status = h('span', { class: 'evidence-status', role: 'status' });
  const input = h('input', { type: 'file', multiple: true, id: `${id}-files`, class: 'file-input' }) as HTMLInputElement;
  input.addEventListener('change', () => {
    const files = Array.from(input.files ?? []);
    input.value = '';
    for (const file of files) {
      hashing += 1;
      status.textContent = w.hashing;
      void sha256OfFile(file).then((hex) => {
        hashing -= 1;
        if (hashing === 0) status.textContent = '';
        addRow(file, hex);
      });
    }
  });
  function addRow(file: File, hex: string): void {
    const kind = h('select', { 'aria-label': w.kind, class: 'ev-kind' }, ...KINDS.map((k) => h('option', { value: k, selected: file.type.startsWith('image/') ? k === 'PHOTO' : file.type.startsWith('video/') ? k === 'VIDEO' : k === 'DOCUMENT' }, w.kinds[k]))) as HTMLSelectElement;
    const description = h('input', { type: 'text', 'aria-label': w.description, class: 'ev-description', value: file.name, maxlength: 1000 }) as HTMLInputElement;
    const location = h('input', { type: 'text', 'aria-label': w.location, class: 'ev-location', value: defaults.location ?? '', placeholder: w.location, maxlength: 200 }) as HTMLInputElement;
    const captured = h('input', { type: 'datetime-local', 'aria-label': w.capturedAt, class: 'ev-captured', value: localValue(Math.min(file.lastModified || Date.now(), Date.now())) }) as HTMLInputElement;
    const row: Row = {
      el: h(
        'li',
        { class: 'evidence-item', 'data-sha256': hex },
        h('div', { class: 'ev-head' }, h('code', { class: 'ev-hash', title: hex }, `SHA-256 ${hex.slice(0, 16)}…`), h('button', { type: 'button', class: 'small quiet', onclick: () => drop() }, w.remove)),
        h('div', { class: 'ev-fields' }, kind, description, location, captured),
      ),
      read: () => {
        if (!description.value.trim() || !location.value.trim()) return null;
        const at = captured.value ? new Date(captured.value).getTime() : Date.now();
        return { kind: kind.value, description: description.value.trim(), sha256: hex, capturedAt: new Date(Math.min(at, Date.now())).toISOString(), location: location.value.trim() };
      },
    };
    const drop = () => {
      rows.splice(rows.indexOf(row), 1);
      row.el.remove();
    };
    rows.push(row);
    list.append(row.el);
  }
  const el = h(
    'div',
    { class: 'evidence', id },
    h('div', { class: 'row' }, input, h('label', { for: `${id}-files`, class: 'button' }, w.choose), status),
    h('p', { class: 'hint' }, w.hint),
    list,
  );
  return {
    el,
    busy: () => hashing > 0,
    value: () =>
      rows.map((r) => {
        const v = r.read();
        if (!v) throw new Error(w.missing);
        return v;
      }),
  };
}

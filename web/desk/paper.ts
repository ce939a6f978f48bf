import { ApiError } from '../shared/api';
import { h, setText } from '../shared/dom';
import type { Lang } from '../shared/i18n';
import type { SignedIn } from '../shared/sign-in';
import { formatWhen, loadSessions, type Desk } from './desk-api';

/**
 * 纸质票: for a hall without phones, the hand count of the paper ballots — how many were handed in and each speaker's
 * 优秀/良好/一般/较差 — entered here (`enterPaperTally`) and confirmed by a second person, an admin or the chair
 * (`confirmPaperTally`); the close counts it with the phones' ballots (docs/paper-ballots.md). The page checks the
 * same sums as the server before sending, to say in words what is wrong; the server checks again.
 */

const GRADES = ['excellent', 'good', 'average', 'poor'] as const;
type GradeKey = (typeof GRADES)[number];

interface Person { id: string; displayName: string }
interface Count { speechId: string; excellent: number; good: number; average: number; poor: number }
interface Tally { ballots: number; counts: Count[]; enteredBy: Person; enteredAt: string; confirmedBy: Person | null; confirmedAt: string | null }
interface Speech { id: string; order: number; status: string; cadre: { name: string; position: string } }
interface Standing {
  session: { speeches: Speech[] } | null;
  evaluation: { status: string; entitledVoters: number; ballotsCast: number; paperTally: Tally | null } | null;
}

const TALLY = `ballots counts { speechId excellent good average poor } enteredBy { id displayName } enteredAt confirmedBy { id displayName } confirmedAt`;
const STANDING = `query($s: ID!) { session(id: $s) { speeches { id order status cadre { name position } } } evaluation(sessionId: $s) { status entitledVoters ballotsCast paperTally { ${TALLY} } } }`;
const ENTER = `mutation($s: ID!, $i: PaperTallyInput!) { enterPaperTally(sessionId: $s, input: $i) { ${TALLY} } }`;
const CONFIRM = `mutation($s: ID!) { confirmPaperTally(sessionId: $s) { ${TALLY} } }`;

const zh = {
  title: '纸质票录入',
  hint: '会场不用手机投票时：计票后录入纸质票张数和每位发言人的优秀、良好、一般、较差票数，再由另一人（管理员或主持人）核对确认。确认后不能再改，结束评议时与手机投票一并计票。',
  pick: '评议中的场次',
  none: '没有正在评议的场次',
  notOpen: '这一期的评议不在进行中，不能录入',
  ballots: '纸质票张数',
  speaker: '发言人',
  grades: { excellent: '优秀', good: '良好', average: '一般', poor: '较差' } as Record<GradeKey, string>,
  sum: '合计',
  box: (electronic: number, entitled: number) => `手机已投 ${electronic} 票，应投 ${entitled} 人`,
  quota: (ballots: number, perBallot: number) => `优秀合计不超过 ${ballots * perBallot}（每张票最多 ${perBallot} 个优秀）`,
  enter: '提交录入',
  reenter: '重新录入（替换上一次）',
  confirm: '核对无误，确认',
  entered: '已录入，待另一人确认',
  confirmed: '已确认',
  enteredBy: (who: string, when: string) => `${who} 于 ${when} 录入`,
  confirmedBy: (who: string, when: string) => `${who} 于 ${when} 确认`,
  notEntered: '尚未录入纸质票',
  onlyOthers: '需由录入人以外的管理员或主持人确认',
  problems: {
    count: '票数须为 0 或正整数',
    overBallots: (who: string, n: number, ballots: number) => `${who} 共 ${n} 票，超过纸质票张数 ${ballots}`,
    overEntitled: (electronic: number, ballots: number, entitled: number) => `手机 ${electronic} 票加纸质 ${ballots} 票，超过应投人数 ${entitled}`,
    overQuota: (n: number, allowed: number) => `优秀合计 ${n}，超过上限 ${allowed}`,
  },
  errors: {
    PAPER_TALLY_INVALID: '票数不可能来自真实选票',
    PAPER_TALLY_SAME_PERSON: '录入人不能自己确认',
    PAPER_TALLY_CONFIRMED: '纸质票已确认，不能再改',
    EVALUATION_NOT_OPEN: '评议不在进行中',
  } as Record<string, string>,
  savedEntry: '纸质票已录入',
  savedConfirm: '纸质票已确认',
};

const en: typeof zh = {
  title: 'Paper ballots',
  hint: 'For a hall without phones: after counting, enter how many paper ballots were handed in and each speaker’s EXCELLENT, GOOD, AVERAGE and POOR; another person (an admin or the chair) checks and confirms. Once confirmed it is fixed, and the close counts it with the phones’ ballots.',
  pick: 'Session in evaluation',
  none: 'No session is in its evaluation',
  notOpen: 'This session’s evaluation is not open: nothing can be entered',
  ballots: 'Paper ballots',
  speaker: 'Speaker',
  grades: { excellent: 'Excellent', good: 'Good', average: 'Average', poor: 'Poor' },
  sum: 'Total',
  box: (electronic, entitled) => `${electronic} ballots on phones, ${entitled} entitled voters`,
  quota: (ballots, perBallot) => `At most ${ballots * perBallot} EXCELLENT in all (${perBallot} per ballot)`,
  enter: 'Enter',
  reenter: 'Enter again (replaces the last)',
  confirm: 'Checked: confirm',
  entered: 'Entered, waiting for a second person',
  confirmed: 'Confirmed',
  enteredBy: (who, when) => `Entered by ${who} at ${when}`,
  confirmedBy: (who, when) => `Confirmed by ${who} at ${when}`,
  notEntered: 'No paper ballots entered yet',
  onlyOthers: 'To be confirmed by an admin or the chair other than who entered it',
  problems: {
    count: 'Counts must be whole numbers, 0 or more',
    overBallots: (who, n, ballots) => `${who} has ${n} grades, more than the ${ballots} paper ballots`,
    overEntitled: (electronic, ballots, entitled) => `${electronic} on phones and ${ballots} on paper make more than the ${entitled} entitled voters`,
    overQuota: (n, allowed) => `${n} EXCELLENT in all, more than ${allowed}`,
  },
  errors: {
    PAPER_TALLY_INVALID: 'Counts no real ballots could give',
    PAPER_TALLY_SAME_PERSON: 'Whoever entered it cannot confirm it',
    PAPER_TALLY_CONFIRMED: 'Already confirmed: fixed',
    EVALUATION_NOT_OPEN: 'The evaluation is not open',
  },
  savedEntry: 'Paper ballots entered',
  savedConfirm: 'Paper ballots confirmed',
};

const wordsFor = (lang: Lang) => (lang === 'en' ? en : zh);

/** The form's numbers as typed: NaN where a field is not a whole number of 0 or more. */
const whole = (input: HTMLInputElement) => (/^\d{1,9}$/.test(input.value.trim()) ? Number(input.value.trim()) : NaN);

export async function paperPanel(desk: Desk, user: SignedIn['user']): Promise<HTMLElement> {
  const p = wordsFor(desk.lang);
  const sessions = (await loadSessions(desk)).filter((s) => s.phase === 'EVALUATION');
  const pick = h('select', { id: 'paper-session' }, ...(sessions.length ? sessions.map((s) => h('option', { value: s.id }, `${desk.w.sessionNo(s.number)} ${s.title}`)) : [h('option', { value: '' }, p.none)]));
  const body = h('div', { id: 'paper-body' });
  const fail = (err: unknown) => {
    if (err instanceof ApiError && p.errors[err.code]) desk.toast(`${p.errors[err.code]}：${err.message}`);
    else desk.fail(err);
  };

  /** The check of the form on screen, run as the numbers are typed. */
  let recheck = () => {};
  body.addEventListener('input', () => recheck());

  const show = async () => {
    recheck = () => {};
    body.replaceChildren();
    if (!pick.value) return;
    const sessionId = pick.value;
    const { session, evaluation } = await desk.api<Standing>(STANDING, { s: sessionId });
    const speeches = (session?.speeches ?? []).filter((s) => s.status !== 'WITHDRAWN').sort((a, b) => a.order - b.order);
    const tally = evaluation?.paperTally ?? null;
    const open = evaluation?.status === 'OPEN';
    const status = h(
      'div',
      { id: 'paper-status', class: 'block', 'data-state': tally ? (tally.confirmedAt ? 'confirmed' : 'entered') : 'none' },
      h('strong', {}, tally ? (tally.confirmedAt ? p.confirmed : p.entered) : p.notEntered),
      ...(tally ? [h('div', {}, p.enteredBy(tally.enteredBy.displayName, formatWhen(tally.enteredAt, desk.lang)))] : []),
      ...(tally?.confirmedBy && tally.confirmedAt ? [h('div', {}, p.confirmedBy(tally.confirmedBy.displayName, formatWhen(tally.confirmedAt, desk.lang)))] : []),
    );
    if (!open) {
      body.replaceChildren(h('p', { class: 'hint' }, p.notOpen), status);
      return;
    }
    const fixed = Boolean(tally?.confirmedAt);
    const previous = new Map((tally?.counts ?? []).map((c) => [c.speechId, c]));
    const ballots = h('input', { id: 'paper-ballots', type: 'number', min: 0, step: 1, value: tally ? String(tally.ballots) : '', disabled: fixed, 'aria-label': p.ballots });
    const perBallot = Math.floor(speeches.length / 3);
    const cells = new Map<string, Record<GradeKey, HTMLInputElement>>();
    const sums = new Map<string, HTMLElement>();
    const rows = speeches.map((s) => {
      const inputs = Object.fromEntries(
        GRADES.map((g) => [g, h('input', { type: 'number', min: 0, step: 1, class: 'paper-count', 'data-speech': s.id, 'data-grade': g, value: String(previous.get(s.id)?.[g] ?? ''), disabled: fixed, 'aria-label': `${s.cadre.name} ${p.grades[g]}` })]),
      ) as Record<GradeKey, HTMLInputElement>;
      cells.set(s.id, inputs);
      const sum = h('td', { class: 'paper-sum' }, '');
      sums.set(s.id, sum);
      return h('tr', { 'data-speech': s.id }, h('td', {}, `${s.order}. ${s.cadre.name} · ${s.cadre.position}`), ...GRADES.map((g) => h('td', {}, inputs[g])), sum);
    });
    const problems = h('ul', { id: 'paper-problems', class: 'problems' });
    const quota = h('span', { class: 'hint', id: 'paper-quota' });

    /** The same sums the server checks, in words; an empty list when the count could come from real ballots. */
    const check = (): string[] => {
      const n = whole(ballots);
      const found: string[] = [];
      let excellent = 0;
      let bad = Number.isNaN(n);
      for (const s of speeches) {
        const values = GRADES.map((g) => whole(cells.get(s.id)![g]));
        if (values.some(Number.isNaN)) bad = true;
        const total = values.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0);
        excellent += Number.isNaN(values[0]) ? 0 : values[0];
        setText(sums.get(s.id)!, String(total));
        sums.get(s.id)!.classList.toggle('over', !Number.isNaN(n) && total > n);
        if (!Number.isNaN(n) && total > n) found.push(p.problems.overBallots(s.cadre.name, total, n));
      }
      if (bad) found.unshift(p.problems.count);
      if (!Number.isNaN(n)) {
        setText(quota, p.quota(n, perBallot));
        if (evaluation!.ballotsCast + n > evaluation!.entitledVoters) found.push(p.problems.overEntitled(evaluation!.ballotsCast, n, evaluation!.entitledVoters));
        if (excellent > n * perBallot) found.push(p.problems.overQuota(excellent, n * perBallot));
      }
      problems.replaceChildren(...found.map((t) => h('li', {}, t)));
      return found;
    };

    const enter = h('button', { type: 'button', class: 'primary', id: 'paper-enter', disabled: fixed }, tally ? p.reenter : p.enter);
    enter.addEventListener('click', () => {
      if (check().length) return;
      enter.disabled = true;
      const input = { ballots: whole(ballots), counts: speeches.map((s) => ({ speechId: s.id, ...Object.fromEntries(GRADES.map((g) => [g, whole(cells.get(s.id)![g])])) })) };
      void desk
        .api(ENTER, { s: sessionId, i: input })
        .then(async () => {
          desk.toast(p.savedEntry, 'ok');
          await show();
        })
        .catch(fail)
        .finally(() => (enter.disabled = false));
    });

    // Confirming is for an admin (or the chair, from the console) other than who entered the count.
    const mayConfirm = tally !== null && !fixed && user.roles.includes('admin') && tally.enteredBy.id !== user.id;
    const confirm = h('button', { type: 'button', id: 'paper-confirm', disabled: !mayConfirm, title: mayConfirm ? null : p.onlyOthers }, p.confirm);
    confirm.addEventListener('click', () => {
      confirm.disabled = true;
      void desk
        .api(CONFIRM, { s: sessionId })
        .then(async () => {
          desk.toast(p.savedConfirm, 'ok');
          await show();
        })
        .catch(fail)
        .finally(() => (confirm.disabled = !mayConfirm));
    });

    body.replaceChildren(
      h('p', { class: 'hint', id: 'paper-box' }, p.box(evaluation!.ballotsCast, evaluation!.entitledVoters)),
      status,
      h('label', { class: 'field' }, h('span', {}, p.ballots), ballots),
      quota,
      h(
        'table',
        { id: 'paper-table', class: 'grid-table' },
        h('thead', {}, h('tr', {}, h('th', {}, p.speaker), ...GRADES.map((g) => h('th', {}, p.grades[g])), h('th', {}, p.sum))),
        h('tbody', {}, ...rows),
      ),
      problems,
      h('div', { class: 'row' }, enter, confirm, tally && !fixed && !mayConfirm ? h('span', { class: 'hint' }, p.onlyOthers) : null),
    );
    recheck = () => void check();
    if (tally) check();
  };

  pick.addEventListener('change', () => void show().catch(fail));
  await show();

  return h('section', { class: 'card panel', id: 'paper' }, h('h2', {}, p.title), h('p', { class: 'hint' }, p.hint), h('div', { class: 'row' }, pick), body);
}

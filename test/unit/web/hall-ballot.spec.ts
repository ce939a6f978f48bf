import {
  ballotSpeeches,
  canChoose,
  checkDraft,
  choose,
  excellentCount,
  excellentQuota,
  gradesOf,
  newClientId,
  restoreDraft,
  type Draft,
  type LineupSpeech,
} from '../../../web/hall/ballot';

/** The phone's ballot rules (web/hall/ballot.ts): which speeches, the one-third quota, drafts kept across a reload. */

const lineup = (n: number, status: (i: number) => string = () => 'FINISHED'): LineupSpeech[] =>
  Array.from({ length: n }, (_, i) => ({ id: `s${i + 1}`, order: i + 1, status: status(i + 1) }));
const ids = (speeches: readonly LineupSpeech[]) => speeches.map((s) => s.id);
const empty = (): Draft => ({ clientId: 'client-1', choices: {} });

describe('ballotSpeeches', () => {
  it('is the line-up in order without the voter’s own speeches and without withdrawn ones', () => {
    const all = lineup(6, (i) => (i === 4 ? 'WITHDRAWN' : i === 6 ? 'CUT_OFF' : 'FINISHED')).reverse();
    expect(ids(ballotSpeeches(all, ['s2']))).toEqual(['s1', 's3', 's5', 's6']);
  });

  it('keeps everything for a voter who gives no speech', () => {
    expect(ids(ballotSpeeches(lineup(3), []))).toEqual(['s1', 's2', 's3']);
  });
});

describe('excellentQuota', () => {
  it('is ⌊N/3⌋', () => {
    expect([0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 12].map(excellentQuota)).toEqual([0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 4]);
  });
});

describe('choosing grades', () => {
  it.each([9, 10, 11])('refuses a fourth EXCELLENT on a ballot of %i', (n) => {
    const speechIds = ids(lineup(n));
    let draft = empty();
    for (const id of speechIds.slice(0, 3)) draft = choose(draft, speechIds, id, 'EXCELLENT');
    expect(excellentCount(draft, speechIds)).toBe(3);
    expect(canChoose(draft, speechIds, 's4', 'EXCELLENT')).toBe(false);
    expect(choose(draft, speechIds, 's4', 'EXCELLENT')).toBe(draft);
    // Other grades stay open, and a speech already EXCELLENT may keep or change its grade.
    expect(canChoose(draft, speechIds, 's4', 'GOOD')).toBe(true);
    expect(canChoose(draft, speechIds, 's1', 'EXCELLENT')).toBe(true);
    draft = choose(draft, speechIds, 's1', 'GOOD');
    expect(canChoose(draft, speechIds, 's4', 'EXCELLENT')).toBe(true);
  });

  it('allows no EXCELLENT at all on a ballot of two', () => {
    const speechIds = ids(lineup(2));
    expect(canChoose(empty(), speechIds, 's1', 'EXCELLENT')).toBe(false);
  });

  it('ignores speeches that are not on the ballot', () => {
    const speechIds = ids(lineup(3));
    expect(canChoose(empty(), speechIds, 's9', 'GOOD')).toBe(false);
  });

  it('does not change the draft it was given', () => {
    const speechIds = ids(lineup(3));
    const before = empty();
    const after = choose(before, speechIds, 's1', 'POOR');
    expect(before.choices).toEqual({});
    expect(after.choices).toEqual({ s1: 'POOR' });
    expect(after.clientId).toBe(before.clientId);
  });
});

describe('checkDraft and gradesOf', () => {
  it('is complete once every speech has one grade within the quota, and sends them in line-up order', () => {
    const speechIds = ids(lineup(4));
    let draft = empty();
    draft = choose(draft, speechIds, 's3', 'AVERAGE');
    draft = choose(draft, speechIds, 's1', 'EXCELLENT');
    expect(checkDraft(draft, speechIds)).toEqual({ missing: ['s2', 's4'], excellent: 1, quota: 1, complete: false });
    draft = choose(draft, speechIds, 's4', 'POOR');
    draft = choose(draft, speechIds, 's2', 'GOOD');
    expect(checkDraft(draft, speechIds).complete).toBe(true);
    expect(gradesOf(draft, speechIds)).toEqual([
      { speechId: 's1', grade: 'EXCELLENT' },
      { speechId: 's2', grade: 'GOOD' },
      { speechId: 's3', grade: 'AVERAGE' },
      { speechId: 's4', grade: 'POOR' },
    ]);
  });

  it('is not complete over the quota (a draft written by hand) nor on an empty ballot', () => {
    const speechIds = ids(lineup(3));
    const over: Draft = { clientId: 'c', choices: { s1: 'EXCELLENT', s2: 'EXCELLENT', s3: 'GOOD' } };
    expect(checkDraft(over, speechIds).complete).toBe(false);
    expect(checkDraft(empty(), []).complete).toBe(false);
  });
});

describe('restoreDraft', () => {
  const speechIds = ids(lineup(6));

  it('gives back a stored draft with its clientId', () => {
    const stored = JSON.parse(JSON.stringify({ clientId: 'abc_DEF-123', choices: { s1: 'GOOD', s2: 'EXCELLENT' } }));
    expect(restoreDraft(stored, speechIds)).toEqual({ clientId: 'abc_DEF-123', choices: { s1: 'GOOD', s2: 'EXCELLENT' } });
  });

  it('drops choices of speeches no longer on the ballot, unknown grades, and EXCELLENT beyond the quota from the end', () => {
    const stored = { clientId: 'c1', choices: { s1: 'EXCELLENT', s2: 'BRILLIANT', s4: 'EXCELLENT', s5: 'EXCELLENT', s9: 'GOOD', s6: 'POOR' } };
    expect(restoreDraft(stored, speechIds)).toEqual({ clientId: 'c1', choices: { s1: 'EXCELLENT', s4: 'EXCELLENT', s6: 'POOR' } });
  });

  it('refuses what is not a draft: nothing, no clientId, a malformed one', () => {
    expect(restoreDraft(null, speechIds)).toBeNull();
    expect(restoreDraft('draft', speechIds)).toBeNull();
    expect(restoreDraft({ choices: {} }, speechIds)).toBeNull();
    expect(restoreDraft({ clientId: '', choices: {} }, speechIds)).toBeNull();
    expect(restoreDraft({ clientId: 'x'.repeat(65), choices: {} }, speechIds)).toBeNull();
    expect(restoreDraft({ clientId: 'has space', choices: {} }, speechIds)).toBeNull();
  });

  it('keeps the clientId when the choices are unreadable', () => {
    expect(restoreDraft({ clientId: 'c2', choices: 'x' }, speechIds)).toEqual({ clientId: 'c2', choices: {} });
  });
});

describe('newClientId', () => {
  it('is 24 characters of base64url that the server accepts (1–64), and differs each time', () => {
    const a = newClientId();
    const b = newClientId();
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a).not.toBe(b);
    expect(restoreDraft({ clientId: a, choices: {} }, [])).not.toBeNull();
  });

  it('takes its bytes from the random source given', () => {
    expect(newClientId((b) => b.fill(0))).toBe('A'.repeat(24));
    expect(newClientId((b) => b.fill(255))).toBe('_'.repeat(24));
  });
});

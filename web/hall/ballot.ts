/**
 * The phone's ballot, without the DOM: which speeches a voter grades, the one-third quota of EXCELLENT, and whether
 * a draft kept in localStorage still fits the ballot. The server checks the same rules again
 * (src/modules/evaluation/ballot.ts); these only keep the voter from composing a ballot it would refuse.
 */

export const GRADES = ['EXCELLENT', 'GOOD', 'AVERAGE', 'POOR'] as const;
export type Grade = (typeof GRADES)[number];

export interface LineupSpeech {
  id: string;
  order: number;
  status: string;
}

export interface Draft {
  /** Made once per ballot and kept with it: a re-send after a lost answer is the same ballot to the server. */
  clientId: string;
  /** speechId → grade, for the speeches graded so far. */
  choices: Record<string, Grade>;
}

/** The speeches on this voter's ballot: the line-up in order, without their own and without withdrawn ones. */
export function ballotSpeeches<T extends LineupSpeech>(lineup: readonly T[], ownSpeechIds: readonly string[]): T[] {
  const own = new Set(ownSpeechIds);
  return lineup.filter((s) => s.status !== 'WITHDRAWN' && !own.has(s.id)).sort((a, b) => a.order - b.order);
}

/** At most ⌊N/3⌋ EXCELLENT on a ballot of N speeches. */
export function excellentQuota(n: number): number {
  return Math.floor(Math.max(0, n) / 3);
}

export function excellentCount(draft: Draft, speechIds: readonly string[]): number {
  return speechIds.filter((id) => draft.choices[id] === 'EXCELLENT').length;
}

/** Whether `grade` may be chosen for `speechId` now: EXCELLENT only while the quota has room (or it already is). */
export function canChoose(draft: Draft, speechIds: readonly string[], speechId: string, grade: Grade): boolean {
  if (!speechIds.includes(speechId)) return false;
  if (grade !== 'EXCELLENT' || draft.choices[speechId] === 'EXCELLENT') return true;
  return excellentCount(draft, speechIds) < excellentQuota(speechIds.length);
}

/** The draft with one more choice, or the same draft when the choice is not allowed. */
export function choose(draft: Draft, speechIds: readonly string[], speechId: string, grade: Grade): Draft {
  if (!canChoose(draft, speechIds, speechId, grade)) return draft;
  return { ...draft, choices: { ...draft.choices, [speechId]: grade } };
}

export interface DraftCheck {
  /** Speeches of the ballot not graded yet, in line-up order. */
  missing: string[];
  excellent: number;
  quota: number;
  /** Every speech graded once and the quota kept: ready to cast. */
  complete: boolean;
}

export function checkDraft(draft: Draft, speechIds: readonly string[]): DraftCheck {
  const missing = speechIds.filter((id) => !draft.choices[id]);
  const excellent = excellentCount(draft, speechIds);
  const quota = excellentQuota(speechIds.length);
  return { missing, excellent, quota, complete: speechIds.length > 0 && missing.length === 0 && excellent <= quota };
}

/** What castBallot is sent: one grade per speech of the ballot, in line-up order. */
export function gradesOf(draft: Draft, speechIds: readonly string[]): { speechId: string; grade: Grade }[] {
  return speechIds.filter((id) => draft.choices[id]).map((id) => ({ speechId: id, grade: draft.choices[id] }));
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A draft read back from storage, made to fit the ballot as it is now: choices of speeches no longer on it (one
 * withdrawn meanwhile) and unknown grades are dropped, and EXCELLENT beyond the quota is dropped from the end of
 * the line-up. The clientId is kept as long as it is well formed, so a re-send stays the same ballot; null when
 * nothing usable was stored.
 */
export function restoreDraft(raw: unknown, speechIds: readonly string[]): Draft | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { clientId, choices } = raw as { clientId?: unknown; choices?: unknown };
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) return null;
  const kept: Record<string, Grade> = {};
  const source = typeof choices === 'object' && choices !== null ? (choices as Record<string, unknown>) : {};
  let room = excellentQuota(speechIds.length);
  for (const id of speechIds) {
    const g = source[id];
    if (typeof g !== 'string' || !(GRADES as readonly string[]).includes(g)) continue;
    if (g === 'EXCELLENT') {
      if (room === 0) continue;
      room--;
    }
    kept[id] = g as Grade;
  }
  return { clientId, choices: kept };
}

/** 24 random characters of base64url (144 bits); crypto.getRandomValues works on a plain-http hall LAN too. */
export function newClientId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return Array.from(random(new Uint8Array(24)), (byte) => alphabet[byte & 63]).join('');
}

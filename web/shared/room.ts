/** The slice of `schema.graphql` the pages read, as types and as the one selection both pages subscribe with. */

export interface Region {
  name: string;
  nameEn: string;
}
export interface Cadre {
  name: string;
  position: string;
  region: Region;
}
export interface Interruption {
  id: string;
  reason: string;
  note: string | null;
  cutOff: boolean;
  at: string;
}
export interface Speech {
  id: string;
  order: number;
  allottedSeconds: number;
  status: 'UPCOMING' | 'SPEAKING' | 'PAUSED' | 'FINISHED' | 'CUT_OFF' | 'WITHDRAWN';
  endedAt: string | null;
  withdrawnReason: string | null;
  cadre: Cadre;
  interruptions: Interruption[];
}
export interface Timer {
  running: boolean;
  allottedMs: number;
  extendedMs: number;
  remainingMs: number;
  overtimeMs: number;
  endsAt: string | null;
}
export interface Comment {
  id: string;
  authorName: string;
  body: string;
  postedAt: string;
}
export interface EvaluationResult {
  rank: number;
  grade: string;
  score: number;
  droppedByTie: boolean;
  speech: { id: string; cadre: Cadre };
}
export interface EvaluationProgress {
  status: 'OPEN' | 'CLOSED' | 'PUBLISHED';
  entitledVoters: number;
  quorum: number;
  ballotsCast: number;
  closeReason: string | null;
  results: EvaluationResult[] | null;
  /** BLIND mode: the general ballot key's fingerprint (hex SHA-256); null in SIMPLE. */
  keyFingerprint: string | null;
}
export interface Review {
  id: string;
  speechId: string;
  tone: 'PRAISE' | 'CRITICISM' | 'SUGGESTION' | 'DIRECTIVE';
  authorName: string;
  body: string;
  at: string;
}
export interface Summary {
  body: string;
  author: string;
  at: string;
}
export interface CheckInCode {
  code: string;
  rotatesAt: string;
  expiresAt: string;
  url: string;
}
export type Phase = 'SCHEDULED' | 'SPEECHES' | 'EXCHANGE' | 'SUMMARY' | 'EVALUATION' | 'CLOSED';
export interface RoomState {
  sessionId: string;
  seq: number;
  phase: Phase;
  serverNow: string;
  current: { speech: Speech; timer: Timer; interruptions: Interruption[] } | null;
  upcoming: Speech[];
  speeches: Speech[];
  comments: Comment[];
  evaluation: EvaluationProgress | null;
  attendance: { expected: number; present: number };
  reviews: Review[];
  summary: Summary | null;
}
export interface SessionInfo {
  id: string;
  number: number;
  title: string;
  venue: string;
  phase: Phase;
  theme: { title: string };
}

/**
 * A key's fingerprint as people compare it, phone against big screen: its first 64 bits, in four groups of four
 * hex digits (`3F2A 9C1B 77D0 12EE`). Another key matching them by chance is a 1 in 2^64 event.
 */
export function readableFingerprint(fingerprint: string): string {
  return (fingerprint.slice(0, 16).toUpperCase().match(/.{1,4}/g) ?? []).join(' ');
}

export const PHASES: readonly Phase[] = ['SCHEDULED', 'SPEECHES', 'EXCHANGE', 'SUMMARY', 'EVALUATION', 'CLOSED'];

export function nextPhase(phase: Phase): Phase | null {
  return PHASES[PHASES.indexOf(phase) + 1] ?? null;
}

const CADRE = `name position region { name nameEn }`;
const SPEECH = `id order allottedSeconds status endedAt withdrawnReason cadre { ${CADRE} } interruptions { id reason note cutOff at }`;

export const ROOM_STATE_FIELDS = `
  sessionId seq phase serverNow
  current {
    speech { ${SPEECH} }
    timer { running allottedMs extendedMs remainingMs overtimeMs endsAt }
    interruptions { id reason note cutOff at }
  }
  upcoming { ${SPEECH} }
  speeches { ${SPEECH} }
  comments { id authorName body postedAt }
  evaluation { status entitledVoters quorum ballotsCast closeReason keyFingerprint results { rank grade score droppedByTie speech { id cadre { ${CADRE} } } } }
  attendance { expected present }
  reviews { id speechId tone authorName body at }
  summary { body author at }
`;

export const ROOM_SUBSCRIPTION = `subscription Room($s: ID!) { roomState(sessionId: $s) { ${ROOM_STATE_FIELDS} } }`;
export const SESSION_QUERY = `query Session($s: ID!) { session(id: $s) { id number title venue phase theme { title } } }`;
export const INTERRUPTIONS_QUERY = `query Interruptions($s: ID!) { room(sessionId: $s) { speeches { id interruptions { id reason note cutOff at } } } }`;
export const CHECK_IN_CODE_QUERY = `query CheckInCode($s: ID!) { checkInCode(sessionId: $s) { code rotatesAt expiresAt url } }`;
export const SERVER_NOW_QUERY = `query Now($s: ID!) { room(sessionId: $s) { serverNow } }`;

/**
 * The most recent interruption of the speech on stage, or of the speech just cut off. `known` supplies the
 * interruptions of ended speeches when the state's own list cannot be trusted (see the screen's note on it).
 */
export function latestInterruption(
  state: RoomState,
  known: ReadonlyMap<string, Interruption[]> = new Map(),
): { speech: Speech; interruption: Interruption } | null {
  if (state.current) {
    const list = state.current.interruptions;
    return list.length ? { speech: state.current.speech, interruption: list[list.length - 1] } : null;
  }
  const ended = state.speeches
    .filter((s) => s.endedAt)
    .sort((a, b) => Date.parse(b.endedAt!) - Date.parse(a.endedAt!))[0];
  if (!ended || ended.status !== 'CUT_OFF') return null;
  const list = known.get(ended.id) ?? ended.interruptions;
  return list.length ? { speech: ended, interruption: list[list.length - 1] } : null;
}

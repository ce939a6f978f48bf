/**
 * What the phone reads of `schema.graphql`: the room as the hall sees it (web/shared/room.ts's selection plus
 * attendance, reviews, the summary and withdrawn speeches) and the caller's own seat, comments and sessions.
 */
import type { Cadre, Interruption, Phase, Timer } from '../shared/room';

export interface HallSpeech {
  id: string;
  order: number;
  allottedSeconds: number;
  status: 'UPCOMING' | 'SPEAKING' | 'PAUSED' | 'FINISHED' | 'CUT_OFF' | 'WITHDRAWN';
  startedAt: string | null;
  endedAt: string | null;
  withdrawnReason: string | null;
  cadre: Cadre;
}
export interface Review {
  id: string;
  speechId: string;
  tone: string;
  authorName: string;
  body: string;
  at: string;
}
export interface HallResult {
  rank: number;
  grade: string;
  score: number;
  droppedByTie: boolean;
  speech: { id: string };
}
export interface HallRoom {
  sessionId: string;
  seq: number;
  phase: Phase;
  serverNow: string;
  current: { speech: HallSpeech; timer: Timer; interruptions: Interruption[] } | null;
  speeches: HallSpeech[];
  comments: { id: string; authorName: string; body: string; postedAt: string }[];
  evaluation: { status: 'OPEN' | 'CLOSED' | 'PUBLISHED'; entitledVoters: number; ballotsCast: number; keyFingerprint: string | null; results: HallResult[] | null } | null;
  attendance: { expected: number; present: number };
  reviews: Review[];
  summary: { body: string; author: string; at: string } | null;
}
export interface Seat {
  sessionId: string;
  registered: boolean;
  present: boolean;
  checkedInAt: string | null;
  entitled: boolean;
  /** SIMPLE mode only: in BLIND mode the server does not know who has cast, and this stays false. */
  voted: boolean;
  /** BLIND mode: this voter has taken their anonymous ballot token (on this phone or another). */
  tokenIssued: boolean;
  ownSpeechIds: string[];
}
/** How the open evaluation takes ballots (docs/blind-ballots.md). */
export type BallotMode = 'BLIND' | 'SIMPLE';
export interface MyComment {
  id: string;
  body: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  postedAt: string;
  speechId: string | null;
}
export interface SessionRow {
  id: string;
  number: number;
  title: string;
  venue: string;
  phase: Phase;
  startsAt: string;
  theme: { title: string };
}
export interface Me {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
}

const CADRE = `name position region { name nameEn }`;
const SPEECH = `id order allottedSeconds status startedAt endedAt withdrawnReason cadre { ${CADRE} }`;

export const HALL_ROOM_FIELDS = `
  sessionId seq phase serverNow
  current {
    speech { ${SPEECH} }
    timer { running allottedMs extendedMs remainingMs overtimeMs endsAt }
    interruptions { id reason note cutOff at }
  }
  speeches { ${SPEECH} }
  comments { id authorName body postedAt }
  evaluation { status entitledVoters ballotsCast keyFingerprint results { rank grade score droppedByTie speech { id } } }
  attendance { expected present }
  reviews { id speechId tone authorName body at }
  summary { body author at }
`;

export const HALL_ROOM_SUBSCRIPTION = `subscription HallRoom($s: ID!) { roomState(sessionId: $s) { ${HALL_ROOM_FIELDS} } }`;
export const ME_QUERY = `query Me { me { id username displayName roles } }`;
export const MY_SESSIONS_QUERY = `query MySessions { mySessions { id number title venue phase startsAt theme { title } } }`;
export const SESSION_QUERY = `query HallSession($s: ID!) { session(id: $s) { id number title venue phase startsAt theme { title } } }`;
/** The caller's seat, and how the evaluation (once open) takes ballots. */
export const SEAT_QUERY = `query Seat($s: ID!) { mySeat(sessionId: $s) { sessionId registered present checkedInAt entitled voted tokenIssued ownSpeechIds } evaluation(sessionId: $s) { ballotMode } }`;
export const BALLOT_KEY_QUERY = `query BallotKey($s: ID!) { ballotKey(sessionId: $s) { publicKeyPem } }`;
export const ISSUE_TOKEN_MUTATION = `mutation IssueBallotToken($s: ID!, $b: String!) { issueBallotToken(sessionId: $s, blindedMessage: $b) }`;
export const CAST_MUTATION = `mutation Cast($s: ID!, $g: [GradeInput!]!, $c: String) { castBallot(sessionId: $s, grades: $g, clientId: $c) { sessionId receipt } }`;
export const VERIFY_QUERY = `query Verify($s: ID!, $r: String!) { verifyBallotReceipt(sessionId: $s, receipt: $r) }`;
export const CAST_ANONYMOUS_MUTATION = `mutation CastAnonymous($s: ID!, $t: String!, $sig: String!, $g: [GradeInput!]!, $c: String) { castAnonymousBallot(sessionId: $s, token: $t, signature: $sig, grades: $g, clientId: $c) { sessionId receipt } }`;
export const MY_COMMENTS_QUERY = `query MyComments($s: ID!) { myComments(sessionId: $s) { id body status postedAt speechId } }`;

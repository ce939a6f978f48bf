import { canonicalJson, sha256Hex } from '../../common/canonical';
import type { ArchivedPaperTally } from '../evaluation/paper/paper-archive';
import type { RoomEvent } from '../room/room-events';
import type { RoomState } from '../room/room-state';

export const ARCHIVE_FORMAT = 'leitai.archive/1';

export interface ArchiveInputs {
  session: { id: number; number: number; title: string; startsAt: Date; venue: string };
  theme: { id: number; title: string; description: string };
  cadres: Map<number, { id: number; name: string; position: string; region: string }>;
  state: RoomState;
  events: readonly RoomEvent[];
  comments: readonly { id: number; authorName: string; body: string; speechId: number | null; postedAt: Date; status: string }[];
  reviews: readonly { id: number; speechId: number; authorName: string; tone: string; body: string; at: Date }[];
  results: readonly unknown[] | null;
  /** A BLIND evaluation's public keys and the tokens issued (the check on a stuffed box: ballots ≤ tokens ≤ voters). */
  blind?: { tokensIssued: number; keys: readonly { purpose: string; publicKeyPem: string }[] } | null;
  /** The hand-counted paper ballots, when any were entered (absent from documents without them). */
  paperTally?: ArchivedPaperTally | null;
  claims: readonly { id: number; speechId: number; indicator: string; value: number; unit: string; asOf: Date; note: string | null; version: number }[];
  commitments: readonly { id: number; speechId: number; title: string; target: string; dueAt: Date; version: number }[];
  sequence: number;
  previousHash: string | null;
  sealedAt: Date;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The archive document of a closed session, computed from its event log and rows. It names its place in the chain
 * and the previous hash, so the content hash also covers the link.
 */
export function buildArchiveDocument(x: ArchiveInputs): Record<string, unknown> {
  const interruptions = x.events.filter((e): e is Extract<RoomEvent, { type: 'SPEECH_INTERRUPTED' }> => e.type === 'SPEECH_INTERRUPTED');
  return {
    format: ARCHIVE_FORMAT,
    chain: { sequence: x.sequence, previousHash: x.previousHash },
    sealedAt: x.sealedAt.toISOString(),
    session: { id: x.session.id, number: x.session.number, title: x.session.title, startsAt: x.session.startsAt.toISOString(), venue: x.session.venue },
    theme: x.theme,
    speeches: x.state.speeches.map((s) => ({
      speechId: s.speechId,
      order: s.order,
      cadre: x.cadres.get(s.cadreId) ?? { id: s.cadreId },
      allottedSeconds: s.allottedMs / 1000,
      status: s.status,
      startedAt: iso(s.startedAt),
      endedAt: iso(s.endedAt),
      spokenMs: s.spokenMs,
      overtimeMs: s.overtimeMs,
      ...(s.withdrawnReason ? { withdrawnReason: s.withdrawnReason } : {}),
      interruptions: interruptions.filter((i) => i.speechId === s.speechId).map((i) => ({ reason: i.reason, note: i.note, cutOff: i.cutOff, at: iso(i.at) })),
      reviews: x.reviews.filter((r) => r.speechId === s.speechId).map((r) => ({ leader: r.authorName, tone: r.tone, body: r.body, at: r.at.toISOString() })),
      claims: x.claims
        .filter((c) => c.speechId === s.speechId)
        .map((c) => ({ id: c.id, version: c.version, indicator: c.indicator, value: c.value, unit: c.unit, asOf: c.asOf.toISOString(), note: c.note })),
      commitments: x.commitments
        .filter((c) => c.speechId === s.speechId)
        .map((c) => ({ id: c.id, version: c.version, title: c.title, target: c.target, dueAt: c.dueAt.toISOString() })),
    })),
    comments: x.comments
      .filter((c) => c.status === 'APPROVED')
      .map((c) => ({ id: c.id, author: c.authorName, body: c.body, speechId: c.speechId, postedAt: c.postedAt.toISOString() })),
    attendance: x.state.attendance,
    summary: x.state.summary && { author: x.state.summary.author, body: x.state.summary.body, at: iso(x.state.summary.at) },
    evaluation: x.state.evaluation && {
      status: x.state.evaluation.status,
      entitledVoters: x.state.evaluation.entitledVoters,
      quorum: x.state.evaluation.quorum,
      ballotsCast: x.state.evaluation.ballotsCast,
      ...(x.state.evaluation.closeReason ? { closeReason: x.state.evaluation.closeReason } : {}),
      ...(x.blind ? { ballotMode: 'BLIND', tokensIssued: x.blind.tokensIssued, ballotKeys: x.blind.keys.map((k) => ({ purpose: k.purpose, publicKeyPem: k.publicKeyPem })) } : {}),
      results: x.results,
      ...(x.paperTally ? { paperTally: x.paperTally } : {}),
    },
    log: { events: x.events.length, lastSeq: x.state.seq, digest: sha256Hex(canonicalJson(x.events)) },
  };
}

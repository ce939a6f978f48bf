import { ARCHIVE_FORMAT, ArchiveInputs, buildArchiveDocument } from '../../../src/modules/archive/archive-document';
import { canonicalJson, sha256Hex } from '../../../src/common/canonical';
import { RoomPhase } from '../../../src/modules/sessions/session-enums';
import { approvedComment, lineup, RoomScript, T0 } from '../room/room-script';

const MIN = 60_000;

/** A short session: 101 speaks, is interrupted for empty talk and ends; 102 is cut off; then the room closes. */
function inputs(over: Partial<ArchiveInputs> = {}): ArchiveInputs {
  const script = new RoomScript(T0);
  script.run({ type: 'SET_LINEUP', entries: lineup() });
  script.run({ type: 'ADVANCE_PHASE', to: RoomPhase.SPEECHES });
  script.run({ type: 'START_SPEECH' });
  script.elapse(MIN).run({ type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note: '请讲具体数字', cutOff: false });
  script.elapse(MIN).run({ type: 'END_SPEECH' });
  script.run({ type: 'START_SPEECH' });
  script.elapse(MIN).run({ type: 'INTERRUPT_SPEECH', reason: 'OFF_TOPIC', note: null, cutOff: true });
  const state = script.state;
  const speechIds = state.speeches.map((s) => s.speechId);
  const cadres = new Map(state.speeches.map((s, i) => [s.cadreId, { id: s.cadreId, name: `干部${i}`, position: '县长', region: '双桥区' }]));
  return {
    session: { id: 1, number: 3, title: '发展民宿经济', startsAt: new Date(T0), venue: '市委报告厅' },
    theme: { id: 2, title: '发展民宿经济', description: '民宿' },
    cadres,
    state,
    events: script.log,
    comments: [
      { ...approvedComment(1), id: 1, postedAt: new Date(T0 + MIN), status: 'APPROVED' },
      { id: 2, authorName: '某人', body: '未通过的提问', speechId: null, postedAt: new Date(T0 + MIN), status: 'REJECTED' },
    ],
    reviews: [{ id: 5, speechId: speechIds[0], authorName: '市领导', tone: 'DIRECTIVE', body: '要提前谋划', at: new Date(T0 + 2 * MIN) }],
    results: null,
    claims: [{ id: 9, speechId: speechIds[0], indicator: '民宿床位', value: 3000, unit: '张', asOf: new Date(T0), note: null, version: 2 }],
    commitments: [{ id: 11, speechId: speechIds[1], title: '床位', target: '10万张', dueAt: new Date(T0 + 1000 * MIN), version: 1 }],
    sequence: 4,
    previousHash: 'f'.repeat(64),
    sealedAt: new Date(T0 + 10 * MIN),
    ...over,
  };
}

describe(buildArchiveDocument.name, () => {
  it('names its format and its place in the chain, so the content hash covers the link', () => {
    const doc = buildArchiveDocument(inputs());
    expect(doc.format).toBe(ARCHIVE_FORMAT);
    expect(doc.chain).toEqual({ sequence: 4, previousHash: 'f'.repeat(64) });
    const other = buildArchiveDocument(inputs({ previousHash: 'e'.repeat(64) }));
    expect(sha256Hex(canonicalJson(other))).not.toBe(sha256Hex(canonicalJson(doc)));
  });

  it('gives each speech its own interruptions, reviews, claims and commitments', () => {
    const doc = buildArchiveDocument(inputs()) as { speeches: any[] };
    const [first, second] = doc.speeches;
    expect(first.interruptions).toEqual([{ reason: 'EMPTY_TALK', note: '请讲具体数字', cutOff: false, at: new Date(T0 + MIN).toISOString() }]);
    expect(second.interruptions).toEqual([{ reason: 'OFF_TOPIC', note: null, cutOff: true, at: new Date(T0 + 3 * MIN).toISOString() }]);
    expect(first.reviews).toEqual([{ leader: '市领导', tone: 'DIRECTIVE', body: '要提前谋划', at: new Date(T0 + 2 * MIN).toISOString() }]);
    expect(second.reviews).toEqual([]);
    expect(first.claims.map((c: any) => [c.id, c.version])).toEqual([[9, 2]]);
    expect(second.commitments.map((c: any) => c.id)).toEqual([11]);
    expect(first.cadre).toMatchObject({ name: '干部0', region: '双桥区' });
    expect(first.spokenMs).toBe(2 * MIN);
    expect(first.startedAt).toBe(new Date(T0).toISOString());
  });

  it('keeps approved comments only', () => {
    const doc = buildArchiveDocument(inputs()) as { comments: any[] };
    expect(doc.comments.map((c) => c.id)).toEqual([1]);
  });

  it('digests the whole log, so a changed event changes the document', () => {
    const base = inputs();
    const doc = buildArchiveDocument(base) as { log: any };
    expect(doc.log).toEqual({ events: base.events.length, lastSeq: base.state.seq, digest: sha256Hex(canonicalJson(base.events)) });
    const tampered = base.events.map((e) => (e.type === 'SPEECH_INTERRUPTED' ? { ...e, note: '改过' } : e));
    expect((buildArchiveDocument({ ...base, events: tampered }) as { log: any }).log.digest).not.toBe(doc.log.digest);
  });

  it('is the same bytes for the same inputs', () => {
    expect(canonicalJson(buildArchiveDocument(inputs()))).toBe(canonicalJson(buildArchiveDocument(inputs())));
  });
});

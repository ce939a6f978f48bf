import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { Claim, Commitment } from '../briefing/briefing.entity';
import type { Principal } from '../../auth/principal';
import type { Clock } from '../../common/clock';
import { ForbiddenError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { inTransaction, writeLock } from '../../db/transaction';
import { isUniqueViolation } from '../../db/errors';
import { BallotKeyRow, BallotMode, Evaluation, EvaluationVoter } from '../evaluation/evaluation.entity';
import { archivedPaperTallyIn } from '../evaluation/paper/paper-archive';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import { Comment } from '../room/comment.entity';
import { Review } from '../room/review.entity';
import { loadRoomState, readRoomEvents } from '../room/room-log';
import { RoomInvalidTransitionError } from '../room/room.errors';
import { RoomPhase } from '../sessions/session-enums';
import { Session } from '../sessions/session.entity';
import { Theme } from '../themes/theme.entity';
import { canonicalJson, sha256Hex } from '../../common/canonical';
import { buildArchiveDocument } from './archive-document';
import { journal } from '../journal/journal';
import { Archive } from './archive.entity';
import { ArchiveSealedError } from '../sessions/session.errors';

export interface ChainStatus {
  valid: boolean;
  length: number;
  brokenAt: string | null;
}

const SEAL_ATTEMPTS = 3;

export class ArchiveService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Freezes a closed session into the next link of the chain; the session cannot change afterwards. */
  async seal(principal: Principal | null, rawSessionId: string): Promise<Archive> {
    if (principal?.kind !== 'user') throw new ForbiddenError();
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sealOnce(principal.userId, sessionId);
      } catch (err) {
        // Another session was sealed into the same place of the chain at the same moment: take the next place.
        if (attempt < SEAL_ATTEMPTS && isUniqueViolation(err)) continue;
        throw err;
      }
    }
  }

  private sealOnce(actorId: number, sessionId: number): Promise<Archive> {
    return inTransaction(this.ds, (m) => sealSessionIn(m, sessionId, actorId, this.clock));
  }

  /** The latest version of a session's archive, or null if it is not sealed. */
  archive(rawSessionId: string): Promise<Archive | null> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    return this.ds.getRepository(Archive).findOne({ where: { sessionId }, order: { version: 'DESC' } });
  }

  /**
   * Re-verifies every stored archive: each document must hash to its contentHash, and name (inside the hashed
   * document too) the contentHash of the archive before it. Reports the session of the first broken link.
   */
  async verifyChain(): Promise<ChainStatus> {
    const archives = await this.ds.getRepository(Archive).find({ order: { sequence: 'ASC' } });
    let previous: Archive | null = null;
    for (const [i, a] of archives.entries()) {
      const chain = (a.document as { chain?: { sequence?: number; previousHash?: string | null } }).chain;
      const intact =
        a.sequence === i + 1 &&
        sha256Hex(canonicalJson(a.document)) === a.contentHash &&
        a.previousHash === (previous?.contentHash ?? null) &&
        chain?.previousHash === a.previousHash &&
        chain?.sequence === a.sequence;
      if (!intact) return { valid: false, length: archives.length, brokenAt: String(a.sessionId) };
      previous = a;
    }
    return { valid: true, length: archives.length, brokenAt: null };
  }
}

/**
 * Seals a CLOSED session into the next place of the chain, inside the caller's transaction: the document, its hash
 * over the link to the previous archive, the seal mark on the session and the audit-trail entry.
 */
export async function sealSessionIn(m: EntityManager, sessionId: number, actorId: number, clock: Clock): Promise<Archive> {
  const session = await m.getRepository(Session).findOne({ where: { id: sessionId }, lock: writeLock(m) });
  if (!session) throw new NotFoundError('session', sessionId, 'sessionId');
  if (session.sealedAt) throw new ArchiveSealedError(sessionId);
  if (session.phase !== RoomPhase.CLOSED) throw new RoomInvalidTransitionError('only a CLOSED session can be sealed', session.phase);

  const events = await readRoomEvents(m, sessionId, 0);
  const state = await loadRoomState(m, sessionId);
  const cadreIds = state.speeches.map((s) => s.cadreId);
  const cadres = cadreIds.length ? await m.getRepository(Cadre).findBy({ id: In(cadreIds) }) : [];
  const regions = new Map((await m.getRepository(Region).find()).map((r) => [r.id, r.name]));
  const evaluation = await m.getRepository(Evaluation).findOneBy({ sessionId });
  const last = await m.getRepository(Archive).find({ order: { sequence: 'DESC' }, take: 1 });
  const sealedAt = clock.now();
  const sequence = (last[0]?.sequence ?? 0) + 1;
  const previousHash = last[0]?.contentHash ?? null;
  const document = buildArchiveDocument({
    session,
    theme: await m.getRepository(Theme).findOneOrFail({ where: { id: session.themeId }, select: { id: true, title: true, description: true } }),
    cadres: new Map(cadres.map((c) => [c.id, { id: c.id, name: c.name, position: c.position, region: regions.get(c.regionId) ?? '' }])),
    state,
    events,
    comments: await m.getRepository(Comment).find({ where: { sessionId }, order: { id: 'ASC' } }),
    reviews: await m.getRepository(Review).find({ where: { sessionId }, order: { id: 'ASC' } }),
    results: evaluation?.resultsJson ? JSON.parse(evaluation.resultsJson) : null,
    blind:
      evaluation?.ballotMode === BallotMode.BLIND
        ? {
            tokensIssued: await m.getRepository(EvaluationVoter).countBy({ sessionId, tokenIssued: true }),
            keys: await m.getRepository(BallotKeyRow).find({ where: { sessionId }, order: { purpose: 'ASC' } }),
          }
        : null,
    paperTally: await archivedPaperTallyIn(m, sessionId),
    claims: await m.getRepository(Claim).find({ where: { sessionId, supersededAt: IsNull() }, order: { id: 'ASC' } }),
    commitments: await m.getRepository(Commitment).find({ where: { sessionId, supersededAt: IsNull() }, order: { id: 'ASC' } }),
    sequence,
    previousHash,
    sealedAt,
  });
  const archive = m.getRepository(Archive).create({ sessionId, sequence, version: 1, sealedAt, sealedById: actorId, contentHash: sha256Hex(canonicalJson(document)), previousHash, document });
  await m.getRepository(Archive).save(archive);
  await m.getRepository(Session).update({ id: sessionId }, { sealedAt });
  await journal(m, clock, { actorId, action: 'sealArchive', entity: 'Archive', entityId: archive.id, after: { sessionId, sequence, contentHash: archive.contentHash, previousHash } });
  return archive;
}

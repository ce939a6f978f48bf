import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { hasAnyRole, Principal, requireActorId } from '../../auth/principal';
import type { Clock } from '../../common/clock';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { inTransaction, writeLock } from '../../db/transaction';
import { journal } from '../journal/journal';
import { Cadre } from '../registry/cadre.entity';
import { Session } from '../sessions/session.entity';
import { ArchiveSealedError } from '../sessions/session.errors';
import { Speech } from '../sessions/speech.entity';
import { Claim, Commitment } from './briefing.entity';
import { Indicator } from './indicator.entity';
import { Theme } from '../themes/theme.entity';
import type { IndicatorInput, RecordClaimInput, RecordCommitmentInput, ReviseClaimInput, ReviseCommitmentInput } from './briefing.inputs';

export interface SpeechBriefing {
  speech: Speech;
  claims: Claim[];
  commitments: Commitment[];
}

/** Who reads every briefing ahead of the session; a speaker reads their own. */
const BRIEFING_READERS = ['admin', 'chair', 'leader', 'secretary', 'auditor', 'analyst'];

type Versionable = typeof Claim | typeof Commitment;

/** Briefings (汇报材料): the figures and promises each speaker files before the session, versioned when revised. */
export class BriefingService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async recordClaim(principal: Principal | null, input: RecordClaimInput): Promise<Claim> {
    if (input.asOf.getTime() > this.clock.now().getTime()) throw new BadUserInputError('asOf must not be in the future', 'input.asOf');
    const indicatorId = input.indicatorId == null ? null : await this.sharedIndicatorFor(input);
    return this.record<Claim>(principal, Claim, input.speechId, 'recordClaim', (speech, actorId) => ({
      indicatorId,
      sessionId: speech.sessionId,
      speechId: speech.id,
      cadreId: speech.cadreId,
      indicator: input.indicator.trim(),
      value: input.value,
      unit: input.unit.trim(),
      asOf: input.asOf,
      note: input.note?.trim() || null,
      recordedById: actorId,
    }));
  }

  /**
   * A claim filed against a shared indicator must belong to the theme of its session and use the indicator's unit,
   * so that the comparison lines up like with like. Indicators are never edited, so this read needs no lock.
   */
  private async sharedIndicatorFor(input: RecordClaimInput): Promise<number> {
    const indicatorId = parseId('indicator', input.indicatorId!, 'input.indicatorId');
    const speechId = parseId('speech', input.speechId, 'input.speechId');
    const indicator = await this.ds.getRepository(Indicator).findOneBy({ id: indicatorId });
    if (!indicator) throw new NotFoundError('indicator', indicatorId, 'input.indicatorId');
    const speech = await this.ds.getRepository(Speech).findOneBy({ id: speechId });
    if (!speech) throw new NotFoundError('speech', speechId, 'input.speechId');
    const session = await this.ds.getRepository(Session).findOneByOrFail({ id: speech.sessionId });
    if (session.themeId !== indicator.themeId) throw new BadUserInputError("the indicator does not belong to the session's theme", 'input.indicatorId');
    if (input.unit.trim() !== indicator.unit) throw new BadUserInputError(`the unit must be the indicator's unit (${indicator.unit})`, 'input.unit');
    return indicator.id;
  }

  /** Defines a shared indicator; its name is unique within the theme (checked under the write, so nothing changes on a refusal). */
  async defineIndicator(principal: Principal | null, rawThemeId: string, input: IndicatorInput): Promise<Indicator> {
    const actorId = requireActorId(principal);
    const themeId = parseId('theme', rawThemeId, 'themeId');
    const name = input.name.trim();
    const unit = input.unit.trim();
    return inTransaction(this.ds, async (m) => {
      if (!(await m.getRepository(Theme).existsBy({ id: themeId }))) throw new NotFoundError('theme', themeId, 'themeId');
      if (await m.getRepository(Indicator).existsBy({ themeId, name })) throw new ConflictError(`the theme already has an indicator named ${name}`, 'input.name');
      const row = await m.save(Indicator, m.create(Indicator, { themeId, name, unit, higherIsBetter: input.higherIsBetter }));
      await journal(m, this.clock, { actorId, action: 'defineIndicator', entity: 'Indicator', entityId: row.id, after: row });
      return row;
    });
  }

  async recordCommitment(principal: Principal | null, input: RecordCommitmentInput): Promise<Commitment> {
    this.assertFuture(input.dueAt, 'input.dueAt');
    return this.record<Commitment>(principal, Commitment, input.speechId, 'recordCommitment', (speech, actorId) => ({
      sessionId: speech.sessionId,
      speechId: speech.id,
      cadreId: speech.cadreId,
      title: input.title.trim(),
      target: input.target.trim(),
      dueAt: input.dueAt,
      recordedById: actorId,
    }));
  }

  async reviseClaim(principal: Principal | null, rawId: string, input: ReviseClaimInput): Promise<Claim> {
    if (input.asOf && input.asOf.getTime() > this.clock.now().getTime()) throw new BadUserInputError('asOf must not be in the future', 'input.asOf');
    return this.revise<Claim>(principal, Claim, rawId, input.reason ?? null, 'reviseClaim', (old) => ({
      indicator: input.indicator?.trim() ?? old.indicator,
      value: input.value ?? old.value,
      unit: input.unit?.trim() ?? old.unit,
      asOf: input.asOf ?? old.asOf,
      note: input.note === undefined ? old.note : input.note?.trim() || null,
    }));
  }

  async reviseCommitment(principal: Principal | null, rawId: string, input: ReviseCommitmentInput): Promise<Commitment> {
    if (input.dueAt) this.assertFuture(input.dueAt, 'input.dueAt');
    return this.revise<Commitment>(principal, Commitment, rawId, input.reason ?? null, 'reviseCommitment', (old) => ({
      title: input.title?.trim() ?? old.title,
      target: input.target?.trim() ?? old.target,
      dueAt: input.dueAt ?? old.dueAt,
    }));
  }

  /** The current briefings of a session, speech by speech; a speaker sees only their own. */
  async briefings(principal: Principal | null, rawSessionId: string): Promise<SpeechBriefing[]> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    if (!(await this.ds.getRepository(Session).existsBy({ id: sessionId }))) throw new NotFoundError('session', sessionId, 'sessionId');
    let speeches = await this.ds.getRepository(Speech).find({ where: { sessionId }, order: { order: 'ASC' } });
    if (!principal?.roles.some((r) => BRIEFING_READERS.includes(r))) {
      const own = principal?.kind === 'user' ? (await this.ds.getRepository(Cadre).findBy({ userId: principal.userId })).map((c) => c.id) : [];
      speeches = speeches.filter((s) => own.includes(s.cadreId));
    }
    const current = { sessionId, supersededAt: IsNull() };
    const [claims, commitments] = await Promise.all([
      this.ds.getRepository(Claim).find({ where: current, order: { id: 'ASC' } }),
      this.ds.getRepository(Commitment).find({ where: current, order: { id: 'ASC' } }),
    ]);
    return speeches.map((speech) => ({
      speech,
      claims: claims.filter((c) => c.speechId === speech.id),
      commitments: commitments.filter((c) => c.speechId === speech.id),
    }));
  }

  /** Current claims and commitments of some cadres, for dossiers and analytics. */
  async currentOfCadres(cadreIds: number[]): Promise<{ claims: Claim[]; commitments: Commitment[] }> {
    if (cadreIds.length === 0) return { claims: [], commitments: [] };
    const where = { cadreId: In(cadreIds), supersededAt: IsNull() };
    const [claims, commitments] = await Promise.all([
      this.ds.getRepository(Claim).find({ where, order: { id: 'ASC' } }),
      this.ds.getRepository(Commitment).find({ where, order: { id: 'ASC' } }),
    ]);
    return { claims, commitments };
  }

  private assertFuture(at: Date, field: string): void {
    if (at.getTime() <= this.clock.now().getTime()) throw new BadUserInputError('the due date must be in the future', field);
  }

  /** The speaker files for their own speech; an admin for anyone's. Not on a sealed session: revise it instead. */
  private async record<T extends Claim | Commitment>(
    principal: Principal | null,
    entity: Versionable,
    rawSpeechId: string,
    action: string,
    fields: (speech: Speech, actorId: number) => Partial<T>,
  ): Promise<T> {
    const actorId = requireActorId(principal);
    const speechId = parseId('speech', rawSpeechId, 'input.speechId');
    return inTransaction(this.ds, async (m) => {
      const speech = await m.getRepository(Speech).findOneBy({ id: speechId });
      if (!speech) throw new NotFoundError('speech', speechId, 'input.speechId');
      const session = await lockSession(m, speech.sessionId);
      if (session.sealedAt) throw new ArchiveSealedError(session.id);
      await assertFiler(m, principal!, speech.cadreId);
      const row = (await m.save(entity, m.create(entity, { ...fields(speech, actorId), version: 1, recordedAt: this.clock.now() } as never))) as T;
      await journal(m, this.clock, { actorId, action, entity: entity.name, entityId: row.id, after: row });
      return row;
    });
  }

  /**
   * A revision is a new version that replaces the current one. Once the session is sealed only an admin may revise,
   * and must say why.
   */
  private async revise<T extends Claim | Commitment>(
    principal: Principal | null,
    entity: Versionable,
    rawId: string,
    reason: string | null,
    action: string,
    changes: (old: T) => Partial<T>,
  ): Promise<T> {
    const actorId = requireActorId(principal);
    const id = parseId(entity.name.toLowerCase(), rawId, 'id');
    return inTransaction(this.ds, async (m) => {
      const old = (await m.getRepository(entity).findOne({ where: { id }, lock: writeLock(m) })) as T | null;
      if (!old) throw new NotFoundError(entity.name.toLowerCase(), id, 'id');
      if (old.supersededAt) throw new ConflictError(`${entity.name.toLowerCase()} ${id} has been revised; revise its current version`, 'id');
      const session = await lockSession(m, old.sessionId);
      if (session.sealedAt) {
        if (!hasAnyRole(principal, ['admin'])) throw new ArchiveSealedError(session.id);
        if (!reason?.trim()) throw new BadUserInputError('a revision after sealing needs a reason', 'input.reason');
      } else {
        await assertFiler(m, principal!, old.cadreId);
      }
      const now = this.clock.now();
      const { id: _id, supersededAt: _s, ...rest } = old;
      const next = (await m.save(entity, m.create(entity, {
        ...rest,
        ...changes(old),
        version: old.version + 1,
        supersedesId: old.id,
        revisionReason: reason?.trim() || null,
        recordedById: actorId,
        recordedAt: now,
      } as never))) as T;
      await m.getRepository(entity).update({ id: old.id }, { supersededAt: now });
      await journal(m, this.clock, { actorId, action, entity: entity.name, entityId: next.id, before: old, after: next });
      return next;
    });
  }
}


async function lockSession(m: EntityManager, sessionId: number): Promise<Session> {
  return m.getRepository(Session).findOneOrFail({ where: { id: sessionId }, lock: writeLock(m) });
}

/** A briefing is filed by the speaker for their own speech, or by an admin on their behalf. */
async function assertFiler(m: EntityManager, principal: Principal, cadreId: number): Promise<void> {
  if (hasAnyRole(principal, ['admin'])) return;
  const cadre = await m.getRepository(Cadre).findOneBy({ id: cadreId });
  if (principal.kind !== 'user' || cadre?.userId !== principal.userId) throw new ForbiddenError('only the speaker (or an admin) files this briefing');
}

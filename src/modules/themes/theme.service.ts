import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal';
import type { Clock } from '../../common/clock';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { inTransaction, writeLock } from '../../db/transaction';
import { journal } from '../journal/journal';
import { ThemeCall } from './theme-call.entity';
import { Theme, ThemeStatus } from './theme.entity';
import { OpenThemeCallInput, ProposeThemeInput } from './theme.inputs';
import { themeLifecycle } from './theme.lifecycle';

const transitionConflict = (message: string) => new ConflictError(message);

export class ThemeService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  themes(status?: ThemeStatus): Promise<Theme[]> {
    return this.ds.getRepository(Theme).find({ where: status ? { status } : {}, order: { id: 'ASC' } });
  }

  themeCalls(): Promise<ThemeCall[]> {
    return this.ds.getRepository(ThemeCall).find({ order: { id: 'DESC' } });
  }

  async openThemeCall(input: OpenThemeCallInput, actorId: number | null): Promise<ThemeCall> {
    if (input.closesAt.getTime() <= this.clock.now().getTime()) {
      throw new BadUserInputError('closesAt must be in the future', 'input.closesAt');
    }
    return inTransaction(this.ds, async (m) => {
      const call = await m.save(ThemeCall, m.create(ThemeCall, { title: input.title.trim(), description: input.description.trim(), closesAt: input.closesAt }));
      await journal(m, this.clock, { actorId, action: 'openThemeCall', entity: 'ThemeCall', entityId: call.id, after: call });
      return call;
    });
  }

  async proposeTheme(principal: Principal | null, input: ProposeThemeInput): Promise<Theme> {
    if (principal?.kind !== 'user') throw new ForbiddenError('only a signed-in leader can propose a theme');
    let callId: number | null = null;
    if (input.callId !== undefined && input.callId !== null) {
      callId = parseId('theme call', input.callId, 'input.callId');
      const call = await this.ds.getRepository(ThemeCall).findOneBy({ id: callId });
      if (!call) throw new NotFoundError('theme call', callId, 'input.callId');
      if (call.closesAt.getTime() <= this.clock.now().getTime()) throw new ConflictError(`theme call ${callId} closed at ${call.closesAt.toISOString()}`, 'input.callId');
    }
    return inTransaction(this.ds, (m) =>
      m.save(Theme, m.create(Theme, {
        title: input.title.trim(),
        description: input.description.trim(),
        rationale: input.rationale?.trim() ?? '',
        status: ThemeStatus.PROPOSED,
        proposedById: principal.userId,
        callId,
      })),
    );
  }

  approveTheme(id: string, actorId: number | null): Promise<Theme> {
    return this.decide(id, ThemeStatus.APPROVED, null, actorId);
  }

  rejectTheme(id: string, reason: string, actorId: number | null): Promise<Theme> {
    const note = reason.trim();
    if (note.length < 1 || note.length > 500) throw new BadUserInputError('reason must be 1–500 characters', 'reason');
    return this.decide(id, ThemeStatus.REJECTED, note, actorId);
  }

  private decide(id: string, to: ThemeStatus, note: string | null, actorId: number | null): Promise<Theme> {
    return inTransaction(this.ds, async (m) => {
      const theme = await this.lockTheme(m, id, 'id');
      themeLifecycle.assertTransition(theme.status, to, transitionConflict);
      const before = { ...theme };
      theme.status = to;
      theme.decidedAt = this.clock.now();
      theme.decisionNote = note;
      await m.save(theme);
      await journal(m, this.clock, { actorId, action: to === ThemeStatus.APPROVED ? 'approveTheme' : 'rejectTheme', entity: 'Theme', entityId: theme.id, before, after: theme });
      return theme;
    });
  }

  /** Marks a theme USED by a newly scheduled session; refuses one that is not approved. */
  async markUsed(m: EntityManager, themeId: string, field: string): Promise<Theme> {
    const theme = await this.lockTheme(m, themeId, field);
    themeLifecycle.assertTransition(theme.status, ThemeStatus.USED, (msg) => new BadUserInputError(msg, field));
    theme.status = ThemeStatus.USED;
    return m.save(theme);
  }

  private async lockTheme(m: EntityManager, rawId: string, field: string): Promise<Theme> {
    const id = parseId('theme', rawId, field);
    const theme = await m.getRepository(Theme).findOne({ where: { id }, lock: writeLock(m) });
    if (!theme) throw new NotFoundError('theme', id, field);
    return theme;
  }
}

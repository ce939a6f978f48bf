import type { DataSource } from 'typeorm';
import { requireActorId, type Principal } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import { NotFoundError } from '../../common/errors';
import { parseId } from '../../common/ids';
import { Speech } from '../sessions/speech.entity';
import type { RoomService } from './room.service';
import type { RoomState } from './room-state';

/** Steps of the meeting beside the speeches themselves: taking a speech out of the line-up, the 总结讲话. */
export class ProceedingsService {
  constructor(
    private readonly ds: DataSource,
    private readonly room: RoomService,
  ) {}

  /** Takes a speech that has not started out of the line-up, with a reason: never started, never graded. */
  async withdrawSpeech(principal: Principal | null, rawSpeechId: string, reason: string): Promise<Speech> {
    const actorId = requireActorId(principal);
    const speechId = parseId('speech', rawSpeechId, 'speechId');
    const speech = await this.ds.getRepository(Speech).findOneBy({ id: speechId });
    if (!speech) throw new NotFoundError('speech', speechId, 'speechId');
    await this.room.command(speech.sessionId, actorId, { type: 'WITHDRAW_SPEECH', speechId, reason });
    return this.ds.getRepository(Speech).findOneByOrFail({ id: speechId });
  }

  /** Records the presiding leader's 总结讲话 in phase SUMMARY, under the caller's name; a second one replaces it. */
  async recordSummary(principal: Principal | null, rawSessionId: string, body: string): Promise<NonNullable<RoomState['summary']>> {
    const actorId = requireActorId(principal);
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const user = await this.ds.getRepository(User).findOneByOrFail({ id: actorId });
    const state = await this.room.command(sessionId, actorId, { type: 'RECORD_SUMMARY', body, author: user.displayName });
    return state.summary!;
  }
}

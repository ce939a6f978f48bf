import type { User } from '../../src/auth/user.entity';
import { Cadre } from '../../src/modules/registry/cadre.entity';
import { Attendee } from '../../src/modules/sessions/attendee.entity';
import { RoomPhase } from '../../src/modules/sessions/session-enums';
import type { Session } from '../../src/modules/sessions/session.entity';
import { Speech } from '../../src/modules/sessions/speech.entity';
import { createCadre, createNextSession, createUser } from '../factories';
import type { TestApp } from './test-app';

export interface ScriptedSession {
  session: Session;
  speeches: Speech[];
  cadres: Cadre[];
  /** Registered attendees; the first `speakerVoters` of them are also speakers of the line-up. */
  voters: User[];
  chair: User;
}

/**
 * A session with `speakers` speeches and `voters` attendees, run through its speeches by the real room commands,
 * and left in phase EVALUATION (or only up to `until`).
 */
export async function scriptSession(
  app: TestApp,
  opts: { speakers: number; voters: number; speakerVoters?: number; until?: RoomPhase },
): Promise<ScriptedSession> {
  const m = app.ds.manager;
  const chair = await createUser(m, { roles: ['chair', 'leader'] });
  const voters: User[] = [];
  for (let i = 0; i < opts.voters; i++) voters.push(await createUser(m, { roles: i < (opts.speakerVoters ?? 0) ? ['speaker', 'voter'] : ['voter'] }));
  const cadres: Cadre[] = [];
  for (let i = 0; i < opts.speakers; i++) cadres.push(await createCadre(m, { userId: i < (opts.speakerVoters ?? 0) ? voters[i].id : null }));
  const session = await createNextSession(m);
  await app.services.sessions.setLineup(null, String(session.id), cadres.map((c) => ({ cadreId: String(c.id), allottedSeconds: 120 })));
  // The voters are registered and present (checked in before the start), so the evaluation entitles them all.
  if (voters.length) await m.getRepository(Attendee).insert(voters.map((v) => ({ sessionId: session.id, userId: v.id, checkedInAt: new Date(app.clock.now().getTime()) })));
  const until = opts.until ?? RoomPhase.EVALUATION;
  const order = Object.values(RoomPhase);
  for (const to of order.slice(1, order.indexOf(until) + 1)) {
    if (to === RoomPhase.EXCHANGE) {
      for (let i = 0; i < cadres.length; i++) {
        await app.services.room.command(session.id, chair.id, { type: 'START_SPEECH' });
        app.clock.advance(60_000 + i * 1000);
        await app.services.room.command(session.id, chair.id, { type: 'END_SPEECH' });
      }
    }
    await app.services.room.command(session.id, chair.id, { type: 'ADVANCE_PHASE', to });
  }
  const speeches = await app.ds.getRepository(Speech).find({ where: { sessionId: session.id }, order: { order: 'ASC' } });
  return { session, speeches, cadres, voters, chair };
}

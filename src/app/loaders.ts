import DataLoader from 'dataloader';
import { DataSource, In } from 'typeorm';
import type { Principal } from '../auth/principal';
import { Audit, Evidence, Finding } from '../modules/audit/audit.entity';
import type { AuditService } from '../modules/audit/audit.service';
import { Claim, Commitment } from '../modules/briefing/briefing.entity';
import { Indicator } from '../modules/briefing/indicator.entity';
import { User } from '../auth/user.entity';
import { byId, manyBy, oneBy } from '../db/loaders';
import { ActionItem, Decision, FindingResponse, ProgressEvidence, ProgressReport, ProgressVerification } from '../modules/followup/followup.entity';
import { Cadre } from '../modules/registry/cadre.entity';
import { Region } from '../modules/registry/region.entity';
import { Session } from '../modules/sessions/session.entity';
import { Review } from '../modules/room/review.entity';
import { RoomEventRecord } from '../modules/room/room-event.entity';
import type { RoomEvent } from '../modules/room/room-events';
import { toRoomEvent } from '../modules/room/room-log';
import { Speech } from '../modules/sessions/speech.entity';
import { Theme } from '../modules/themes/theme.entity';

/** Interruptions recorded in the logs of the given sessions, grouped by speech. */
function interruptionsBySpeech(ds: DataSource): DataLoader<number, RoomEvent[]> {
  return new DataLoader(async (speechIds) => {
    const speeches = await ds.getRepository(Speech).findBy({ id: In([...speechIds]) });
    const sessionIds = [...new Set(speeches.map((s) => s.sessionId))];
    const rows = sessionIds.length
      ? await ds.getRepository(RoomEventRecord).find({ where: { sessionId: In(sessionIds), type: 'SPEECH_INTERRUPTED' }, order: { sessionId: 'ASC', seq: 'ASC' } })
      : [];
    const groups = new Map<number, RoomEvent[]>(speechIds.map((id) => [id, []]));
    for (const row of rows) {
      const event = toRoomEvent(row);
      if (event.type === 'SPEECH_INTERRUPTED') groups.get(event.speechId)?.push(event);
    }
    return speechIds.map((id) => groups.get(id) ?? []);
  });
}

export interface LoaderScope {
  principal: Principal | null;
  audits: AuditService;
}

/** Per-request batching: a page of 100 rows resolves each relation in one statement, not one per row. */
export function createLoaders(ds: DataSource, scope: LoaderScope) {
  const visibleAudits = (key: 'claimId' | 'commitmentId') =>
    new DataLoader<number, Audit[]>(async (ids) => {
      const audits = await scope.audits.visibleTo(scope.principal, await ds.getRepository(Audit).find({ where: { [key]: In([...ids]) }, order: { id: 'ASC' } }));
      return ids.map((id) => audits.filter((a) => a[key] === id));
    });
  return {
    claim: byId(ds, Claim),
    commitment: byId(ds, Commitment),
    visibleAuditsByClaim: visibleAudits('claimId'),
    visibleAuditsByCommitment: visibleAudits('commitmentId'),
    findingsByAudit: manyBy(ds, Finding, 'auditId', { id: 'ASC' }),
    evidenceByFinding: manyBy(ds, Evidence, 'findingId', { id: 'ASC' }),
    user: byId(ds, User),
    region: byId(ds, Region),
    cadre: byId(ds, Cadre),
    theme: byId(ds, Theme),
    indicatorsByTheme: manyBy(ds, Indicator, 'themeId', { id: 'ASC' }),
    session: byId(ds, Session),
    speech: byId(ds, Speech),
    speechesBySession: manyBy(ds, Speech, 'sessionId', { order: 'ASC' }),
    reviewsBySpeech: manyBy(ds, Review, 'speechId', { id: 'ASC' }),
    interruptionsBySpeech: interruptionsBySpeech(ds),
    review: byId(ds, Review),
    actionItem: byId(ds, ActionItem),
    progressByActionItem: manyBy(ds, ProgressReport, 'actionItemId', { id: 'ASC' }),
    progressByCommitment: manyBy(ds, ProgressReport, 'commitmentId', { id: 'ASC' }),
    verificationByProgress: oneBy(ds, ProgressVerification, 'progressId'),
    evidenceByProgress: manyBy(ds, ProgressEvidence, 'progressId', { id: 'ASC' }),
    responseByFinding: oneBy(ds, FindingResponse, 'findingId'),
    decisionsByFinding: manyBy(ds, Decision, 'findingId', { id: 'ASC' }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

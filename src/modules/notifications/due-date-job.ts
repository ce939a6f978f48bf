import { In, IsNull, LessThanOrEqual, Not, type DataSource, type EntityManager } from 'typeorm';
import type { Clock } from '../../common/clock';
import { inTransaction } from '../../db/transaction';
import { Commitment } from '../briefing/briefing.entity';
import { ActionItem, ProgressReport, ProgressVerification } from '../followup/followup.entity';
import { Cadre } from '../registry/cadre.entity';
import { insertNotices, lockCursor, type NoticeDraft } from './notice-store';
import { noticeText, type DueSubject } from './notice-text';
import type { NotificationFeed } from './notification-feed';
import { NotificationCursor, NotificationKind, type Notification } from './notification.entity';

export const DUE_CURSOR = 'due-dates';
export const DEFAULT_DUE_SOON_DAYS = 7;
const DAY_MS = 86_400_000;
const CHUNK = 400;

/** The dedupe key of a due-date notice: one per kind, record and person, ever. */
export const dueKey = (kind: 'due-soon' | 'overdue', subject: DueSubject, id: number, userId: number) => `${kind}:${subject}:${id}:${userId}`;

interface DueThing {
  subject: DueSubject;
  id: number;
  title: string;
  dueAt: Date;
  cadreId: number;
}

/**
 * The due-date job: what is still open and due within `dueSoonDays` gets DUE_SOON, what is past due gets OVERDUE,
 * each once, to the owning cadre's account. Open means: a commitment's current version (not superseded) without a
 * published verdict; an action item not DONE (no 100 % progress report with an accepted verification). It reads the
 * state now, not what changed since the last run, so a run after downtime catches up on everything missed, and
 * something first seen already past due gets OVERDUE only. The dedupe keys make each notice once-only; the lock on
 * the `due-dates` cursor row lets one instance at a time do the work.
 */
export class DueDateJob {
  private running: Promise<Notification[]> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly feed: NotificationFeed,
    private readonly dueSoonDays = DEFAULT_DUE_SOON_DAYS,
  ) {}

  /** One run at the clock's now; returns the notices it stored (and published). */
  runOnce(): Promise<Notification[]> {
    if (this.running) return this.running.catch(() => undefined).then(() => this.runOnce());
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<Notification[]> {
    const inserted = await inTransaction(this.ds, async (m) => {
      await lockCursor(m, DUE_CURSOR);
      const now = this.clock.now();
      const horizon = new Date(now.getTime() + this.dueSoonDays * DAY_MS);
      const open = [...(await this.openCommitments(m, horizon)), ...(await this.openActionItems(m, horizon))];
      const owners = await this.owners(m, open.map((t) => t.cadreId));
      const drafts: NoticeDraft[] = [];
      for (const t of open) {
        const userId = owners.get(t.cadreId);
        if (userId == null) continue;
        const subjectType = t.subject === 'commitment' ? 'Commitment' : 'ActionItem';
        if (t.dueAt.getTime() <= now.getTime()) {
          drafts.push({ userId, kind: NotificationKind.OVERDUE, subjectType, subjectId: t.id, text: noticeText.overdue(t.subject, t.title), dedupeKey: dueKey('overdue', t.subject, t.id, userId) });
        } else {
          drafts.push({ userId, kind: NotificationKind.DUE_SOON, subjectType, subjectId: t.id, text: noticeText.dueSoon(t.subject, t.title, t.dueAt), dedupeKey: dueKey('due-soon', t.subject, t.id, userId) });
        }
      }
      const rows = await insertNotices(m, drafts, now);
      await m.getRepository(NotificationCursor).update({ name: DUE_CURSOR }, { ranAt: now });
      return rows;
    });
    await this.feed.published(inserted);
    return inserted;
  }

  private async openCommitments(m: EntityManager, horizon: Date): Promise<DueThing[]> {
    const rows = await m.getRepository(Commitment).find({
      select: { id: true, title: true, dueAt: true, cadreId: true },
      where: { supersededAt: IsNull(), latestVerdict: IsNull(), dueAt: LessThanOrEqual(horizon) },
    });
    return rows.map((c) => ({ subject: 'commitment' as const, id: c.id, title: c.title, dueAt: c.dueAt, cadreId: c.cadreId }));
  }

  private async openActionItems(m: EntityManager, horizon: Date): Promise<DueThing[]> {
    const items = await m.getRepository(ActionItem).find({ select: { id: true, title: true, dueAt: true, cadreId: true }, where: { dueAt: LessThanOrEqual(horizon) } });
    const done = new Set<number>();
    for (let i = 0; i < items.length; i += CHUNK) {
      const ids = items.slice(i, i + CHUNK).map((a) => a.id);
      const complete = await m.getRepository(ProgressReport).find({ select: { id: true, actionItemId: true }, where: { actionItemId: In(ids), percent: 100 } });
      if (!complete.length) continue;
      const accepted = new Set(
        (await m.getRepository(ProgressVerification).find({ select: { progressId: true }, where: { progressId: In(complete.map((p) => p.id)), accepted: true } })).map((v) => v.progressId),
      );
      for (const p of complete) if (accepted.has(p.id) && p.actionItemId !== null) done.add(p.actionItemId);
    }
    return items.filter((a) => !done.has(a.id)).map((a) => ({ subject: 'action-item' as const, id: a.id, title: a.title, dueAt: a.dueAt, cadreId: a.cadreId }));
  }

  /** The account of each cadre that has one. */
  private async owners(m: EntityManager, cadreIds: number[]): Promise<Map<number, number | null>> {
    const unique = [...new Set(cadreIds)];
    const owners = new Map<number, number | null>();
    for (let i = 0; i < unique.length; i += CHUNK) {
      for (const c of await m.getRepository(Cadre).find({ select: { id: true, userId: true }, where: { id: In(unique.slice(i, i + CHUNK)), userId: Not(IsNull()) } })) owners.set(c.id, c.userId);
    }
    return owners;
  }
}

import { DataSource, In } from 'typeorm';
import type { Clock } from '../../common/clock';
import { ACTION_ITEM_ZH, beijingDate } from '../../common/labels-zh';
import { once, requireRoles, type ExtraTable } from '../analytics/exports';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import { Review } from '../room/review.entity';
import { Session } from '../sessions/session.entity';
import { actionItemProgress } from './action-item-progress';
import { ActionItem } from './followup.entity';

const READERS = ['admin', 'secretary', 'analyst', 'auditor', 'chair', 'leader'] as const;

/**
 * `/exports/action-items.csv|xlsx`: every action item (督办事项), soonest due first, with who owns it, whose
 * directive it follows, and its derived status and verified progress — the secretary's 督办台账 in Excel.
 */
export function actionItemsExport(ds: DataSource, clock: Clock): ExtraTable {
  return async (_req, principal) => {
    requireRoles(principal, READERS);
    const items = await ds.getRepository(ActionItem).find({ order: { dueAt: 'ASC', id: 'ASC' } });
    const ids = <K extends keyof ActionItem>(key: K) => [...new Set(items.map((i) => i[key] as number))];
    const [cadres, reviews, sessions, regions, progress] = await Promise.all([
      items.length ? ds.getRepository(Cadre).findBy({ id: In(ids('cadreId')) }) : [],
      items.length ? ds.getRepository(Review).findBy({ id: In(ids('reviewId')) }) : [],
      items.length ? ds.getRepository(Session).findBy({ id: In(ids('sessionId')) }) : [],
      ds.getRepository(Region).find(),
      actionItemProgress(ds, items, clock.now()),
    ]);
    const cadre = new Map(cadres.map((c) => [c.id, c]));
    const review = new Map(reviews.map((r) => [r.id, r]));
    const session = new Map(sessions.map((s) => [s.id, s]));
    const region = new Map(regions.map((r) => [r.id, r.name]));
    return {
      columns: ['督办事项 item', '责任干部 owner', '职务 position', '县市区 region', '期数 session', '交办领导 directive by', '指示 directive', '期限 due', '状态 status', '已核实进度 verified %', '交办日期 created'],
      rows: once(
        items.map((i) => {
          const c = cadre.get(i.cadreId);
          const d = progress.get(i.id)!;
          return [i.title, c?.name ?? '', c?.position ?? '', c ? (region.get(c.regionId) ?? '') : '', session.get(i.sessionId)?.number ?? null, review.get(i.reviewId)?.authorName ?? '', review.get(i.reviewId)?.body ?? '', beijingDate(i.dueAt), ACTION_ITEM_ZH[d.status], d.progress, beijingDate(i.createdAt)];
        }),
      ),
    };
  };
}

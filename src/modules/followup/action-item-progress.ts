import { DataSource, In } from 'typeorm';
import type { ActionItem, ActionItemStatus } from './followup.entity';
import { ProgressReport, ProgressVerification } from './followup.entity';
import { acceptedPercent, actionItemStatusOf } from './followup-status';

/**
 * Each action item's derived status and verified progress, read in two statements for any number of items — for
 * the readers outside GraphQL (the 干部档案 PDF, the Excel export), which derive them as the API does.
 */
export async function actionItemProgress(ds: DataSource, items: readonly ActionItem[], now: Date): Promise<Map<number, { status: ActionItemStatus; progress: number }>> {
  const reports = items.length ? await ds.getRepository(ProgressReport).findBy({ actionItemId: In(items.map((i) => i.id)) }) : [];
  const verifications = reports.length ? await ds.getRepository(ProgressVerification).findBy({ progressId: In(reports.map((r) => r.id)) }) : [];
  const accepted = new Map(verifications.map((v) => [v.progressId, v.accepted]));
  return new Map(
    items.map((item) => {
      const facts = reports.filter((r) => r.actionItemId === item.id).map((r) => ({ percent: r.percent, accepted: accepted.get(r.id) ?? null }));
      return [item.id, { status: actionItemStatusOf(item, facts, now.getTime()), progress: acceptedPercent(facts) }];
    }),
  );
}

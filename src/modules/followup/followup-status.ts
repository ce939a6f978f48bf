import { ActionItemStatus, ProgressStatus } from './followup.entity';

/** A progress report as the derivations read it: how far it says, and whether an auditor accepted it. */
export interface ProgressFact {
  percent: number;
  accepted: boolean | null;
}

/** PENDING until verified; then ACCEPTED or REJECTED. */
export function progressStatusOf(accepted: boolean | null | undefined): ProgressStatus {
  return accepted == null ? ProgressStatus.PENDING : accepted ? ProgressStatus.ACCEPTED : ProgressStatus.REJECTED;
}

/** The furthest accepted progress, 0 without any: rejected and pending reports move nothing. */
export function acceptedPercent(reports: readonly ProgressFact[]): number {
  return reports.reduce((max, r) => (r.accepted === true && r.percent > max ? r.percent : max), 0);
}

/**
 * An action item's status, derived and never typed in: DONE once accepted progress reaches 100%, OVERDUE past its
 * due date until then, OPEN otherwise.
 */
export function actionItemStatusOf(item: { dueAt: Date }, reports: readonly ProgressFact[], now: number): ActionItemStatus {
  if (acceptedPercent(reports) >= 100) return ActionItemStatus.DONE;
  return now > item.dueAt.getTime() ? ActionItemStatus.OVERDUE : ActionItemStatus.OPEN;
}

/** The same rule in SQL, for lists and counts: the action item aliased `alias` is DONE. */
export function actionItemDoneSql(alias: string): string {
  return `EXISTS (SELECT 1 FROM progress_reports p JOIN progress_verifications v ON v.progress_id = p.id WHERE p.action_item_id = ${alias}.id AND v.accepted = 1 AND p.percent >= 100)`;
}

/** An adverse finding (anything but VERIFIED) may be answered by the cadre concerned. */
export function isAdverse(verdict: string): boolean {
  return verdict !== 'VERIFIED';
}

/** When the window to answer a finding published at `publishedAt` closes. */
export function responseWindowEnd(publishedAt: Date, days: number): Date {
  return new Date(publishedAt.getTime() + days * 86_400_000);
}

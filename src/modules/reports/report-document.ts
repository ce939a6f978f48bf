/*
 * A report as plain data: what a paper report says, in the order it says it, and nothing about how it is drawn.
 * The builders (evaluation-report.ts, minutes-report.ts, dossier-report.ts) are pure functions that make one from
 * what the services read; pdf-renderer.ts lays any of them out on A4.
 */

/** A sealed archive a report cites: enough to check the paper against `archiveChain`. */
export interface ReportSeal {
  /** What it seals, e.g. 第3期. */
  label: string;
  contentHash: string;
  /** Place in the archive chain. */
  sequence: number;
  sealedAt: Date;
}

export interface TableColumn {
  header: string;
  /** Share of the line's width, relative to the other columns. */
  width: number;
  align?: 'left' | 'right' | 'center';
  /** Font size, where a column needs a smaller one than the table's (a hash that should stay on one line). */
  size?: number;
}

export type ReportBlock =
  | { kind: 'heading'; text: string }
  /** Label–value pairs, one a line. */
  | { kind: 'facts'; rows: readonly (readonly [string, string])[] }
  | { kind: 'paragraph'; text: string }
  /** `empty` is printed instead of a table without rows. */
  | { kind: 'table'; columns: readonly TableColumn[]; rows: readonly (readonly string[])[]; empty: string }
  /** The archive's hash in full and its QR code, so a reader can scan it and compare. */
  | { kind: 'seal'; seal: ReportSeal };

export interface ReportDocument {
  /** The kind of report, printed in every page's header: 评议结果, 活动纪要, 干部档案. */
  kind: string;
  title: string;
  /** Lines under the title. */
  subtitle: readonly string[];
  blocks: readonly ReportBlock[];
}

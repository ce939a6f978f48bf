/** A cell that is wrong, named as the spreadsheet names it: its row (the header is row 1) and its column's header. */
export interface ImportError {
  row: number;
  column: string;
  message: string;
}

/** One column a row would change: from null when the row creates. */
export interface PlanChange {
  column: string;
  from: string | null;
  to: string | null;
}

export type ImportAction = 'create' | 'update' | 'unchanged';

/** What one row would do (preview) or did (apply). */
export interface ImportItem {
  row: number;
  username: string;
  action: ImportAction;
  changes: PlanChange[];
}

/**
 * The answer of every import: what the file does row by row. `applied` is true once an apply has committed; an
 * apply refused for its errors changes nothing and answers 422 with the same body a preview would.
 */
export interface ImportAnswer {
  mode: ImportMode;
  applied: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportError[];
  items: ImportItem[];
}

export type ImportMode = 'preview' | 'apply';

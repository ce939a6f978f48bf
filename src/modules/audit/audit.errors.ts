import { AppError } from '../../common/errors';

/** An auditor assigned to check their own words or their own unit (separation of duties: docs/audit-trail.md). */
export class AuditConflictOfInterestError extends AppError {
  constructor(reason: string) {
    super('AUDIT_CONFLICT_OF_INTEREST', `this auditor may not check this: ${reason}`);
  }
}

export class AuditWithdrawnError extends AppError {
  constructor(auditId: number) {
    super('AUDIT_WITHDRAWN', `audit ${auditId} was withdrawn; it takes no findings`, { auditId: String(auditId) });
  }
}

/** Sealed is sealed: a published finding is corrected by a new finding with a reason, never edited. */
export class AuditFindingPublishedError extends AppError {
  constructor(findingId: number) {
    super('AUDIT_FINDING_PUBLISHED', `finding ${findingId} is published and cannot change; submit a correction with a correctionReason`, { findingId: String(findingId) });
  }
}

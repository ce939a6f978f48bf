import { type AppError, ConflictError } from '../../common/errors';
import { Lifecycle } from '../../common/lifecycle';
import { EvaluationStatus } from './results';
import { EvaluationNotOpenError } from './room.errors';

/** OPEN for ballots → CLOSED (results computed) → PUBLISHED, never back: the evaluation's one table of moves. */
export const evaluationLifecycle = new Lifecycle<EvaluationStatus>('the evaluation', {
  [EvaluationStatus.OPEN]: [EvaluationStatus.CLOSED],
  [EvaluationStatus.CLOSED]: [EvaluationStatus.PUBLISHED],
  [EvaluationStatus.PUBLISHED]: [],
});

export type EvaluationStep = 'open' | 'ballot' | 'close' | 'publish';

/**
 * Whether the evaluation, standing at `status` (undefined: not opened yet), may take `step`: null, or the error
 * that refuses it. The room's decider and the ballot box's own transaction both ask here.
 */
export function refuseEvaluationStep(standing: EvaluationStatus | `${EvaluationStatus}` | undefined, step: EvaluationStep): AppError | null {
  const status = standing as EvaluationStatus | undefined;
  const now = status ?? 'not opened yet';
  switch (step) {
    case 'open':
      return status === undefined ? null : new ConflictError(`the evaluation has already been opened (it is ${status})`);
    case 'ballot':
      return status === EvaluationStatus.OPEN ? null : new EvaluationNotOpenError(now);
    case 'close':
      return status !== undefined && evaluationLifecycle.can(status, EvaluationStatus.CLOSED) ? null : new EvaluationNotOpenError(now);
    case 'publish':
      return status !== undefined && evaluationLifecycle.can(status, EvaluationStatus.PUBLISHED)
        ? null
        : new ConflictError(`only a closed evaluation can be published (it is ${now})`);
  }
}

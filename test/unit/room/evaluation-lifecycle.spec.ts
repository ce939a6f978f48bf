import { EvaluationStatus } from '../../../src/modules/room/results';
import { evaluationLifecycle, refuseEvaluationStep } from '../../../src/modules/room/evaluation-lifecycle';

describe('the evaluation lifecycle', () => {
  it('moves only forward: OPEN → CLOSED → PUBLISHED', () => {
    const { OPEN, CLOSED, PUBLISHED } = EvaluationStatus;
    expect(evaluationLifecycle.can(OPEN, CLOSED)).toBe(true);
    expect(evaluationLifecycle.can(CLOSED, PUBLISHED)).toBe(true);
    for (const [from, to] of [[OPEN, PUBLISHED], [CLOSED, OPEN], [PUBLISHED, CLOSED], [PUBLISHED, OPEN]] as const) {
      expect(evaluationLifecycle.can(from, to)).toBe(false);
    }
  });

  it.each([
    [undefined, 'open', null],
    ['OPEN', 'open', 'CONFLICT'],
    [undefined, 'ballot', 'EVALUATION_NOT_OPEN'],
    ['OPEN', 'ballot', null],
    ['CLOSED', 'ballot', 'EVALUATION_NOT_OPEN'],
    ['OPEN', 'close', null],
    ['CLOSED', 'close', 'EVALUATION_NOT_OPEN'],
    [undefined, 'close', 'EVALUATION_NOT_OPEN'],
    ['CLOSED', 'publish', null],
    ['OPEN', 'publish', 'CONFLICT'],
    ['PUBLISHED', 'publish', 'CONFLICT'],
  ] as const)('from %s, %s → %s', (status, step, code) => {
    const refused = refuseEvaluationStep(status, step);
    expect(refused === null ? null : refused.extensions.code).toBe(code);
  });

  it('says where the evaluation stands in the refusal', () => {
    expect(refuseEvaluationStep(undefined, 'ballot')!.message).toMatch(/not opened yet/);
    expect(refuseEvaluationStep('PUBLISHED', 'publish')!.message).toBe('only a closed evaluation can be published (it is PUBLISHED)');
  });
});

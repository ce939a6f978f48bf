/**
 * A lifecycle as data: which states may follow which. `assertTransition` is the one place that says no, so the
 * rules can be read in one table instead of scattered ifs.
 */
export class Lifecycle<S extends string> {
  constructor(
    readonly name: string,
    private readonly next: Readonly<Record<S, readonly S[]>>,
  ) {}

  can(from: S, to: S): boolean {
    return this.next[from].includes(to);
  }

  /** Throws the error `fail` builds when the move is not in the table. */
  assertTransition(from: S, to: S, fail: (message: string) => Error): void {
    if (!this.can(from, to)) {
      const allowed = this.next[from];
      const hint = allowed.length ? `it can only become ${allowed.join(' or ')}` : 'it is final';
      throw fail(`${this.name} is ${from}; ${hint}, not ${to}`);
    }
  }
}

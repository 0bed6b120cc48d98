/**
 * Forced interleavings through the in-memory ports. `Interleaver.wrap` returns a proxy of a store
 * whose every method call passes two await points, one before and one after the real call. A
 * schedule names one point at which a competing operation runs to completion (the wrapped caller
 * is suspended there until it finishes), then the caller resumes.
 *
 * Use: a dry run with no injection counts the points (`points`, labelled in `log`); then one run
 * per point, each on fresh stores, with `inject(at, operation)`.
 */
export class Interleaver {
  private count = 0;
  private pending: { readonly at: number; readonly run: () => Promise<unknown> } | undefined;
  /** Labels of the points passed, in order (`before orders.putPersonal`, …). */
  readonly log: string[] = [];

  /** Points passed so far. */
  get points(): number {
    return this.count;
  }

  /** Runs `operation` to completion at point `at` (0-based) of the wrapped caller. */
  inject(at: number, operation: () => Promise<unknown>): void {
    this.pending = { at, run: operation };
  }

  /** Whether the injected operation has run. */
  get injected(): boolean {
    return this.pending === undefined;
  }

  private async point(label: string): Promise<void> {
    const index = this.count++;
    this.log.push(label);
    const pending = this.pending;
    if (pending && pending.at === index) {
      this.pending = undefined;
      await pending.run();
    }
  }

  wrap<T extends object>(name: string, target: T): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          await this.point(`before ${name}.${String(property)}`);
          const result: unknown = await (value as (...a: unknown[]) => unknown).apply(object, args);
          await this.point(`after ${name}.${String(property)}`);
          return result;
        };
      },
    });
  }
}

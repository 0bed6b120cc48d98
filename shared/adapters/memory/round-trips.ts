/**
 * Counts the requests a use case makes through its ports, and how many of them are in sequence.
 * Wrap each port that stands for a remote store (one method call = one request); every call gets
 * a round: one more than the deepest round completed when it started. Calls started together
 * (Promise.all) share a round; a call that waits for another's answer gets the next. The highest
 * round is the number of sequential round trips. For the unit tests and the benchmark.
 */
export class RoundTrips {
  requests = 0;
  private completed = 0;
  private deepest = 0;
  /** `<round> <port>.<method>`, in the order the calls started. */
  readonly log: string[] = [];

  /** Sequential round trips so far. */
  get rounds(): number {
    return this.deepest;
  }

  /** Starts counting afresh (e.g. after a warm-up). */
  reset(): void {
    this.requests = 0;
    this.completed = 0;
    this.deepest = 0;
    this.log.length = 0;
  }

  wrap<T extends object>(name: string, target: T): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function' || property === 'constructor') return value;
        return async (...args: unknown[]) => {
          const round = this.completed + 1;
          this.requests++;
          this.deepest = Math.max(this.deepest, round);
          this.log.push(`${round} ${name}.${String(property)}`);
          try {
            return await (value as (...a: unknown[]) => unknown).apply(object, args);
          } finally {
            this.completed = Math.max(this.completed, round);
          }
        };
      },
    });
  }
}

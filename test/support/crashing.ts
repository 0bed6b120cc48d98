/**
 * The intake's stores (orders, consent, idempotency, fence, record secrets) dying at a chosen store
 * call: earlier calls go through, that one and every later one reject. `log` names every call made.
 *
 * `crashAt`: a call's index (0-based, across all stores), or `[name, n]`: the n-th call (1-based) of
 * that store method, whatever ran before it (a repeated checkout opt-in makes no consent write, so
 * call indices differ between an intake that writes consent and one that does not).
 */
import type { FakePorts } from './fakes.js';

export const STORES = ['orders', 'consent', 'idempotency', 'fence', 'recordSecrets'] as const;

export function crashing(ports: FakePorts, crashAt: number | readonly [string, number]) {
  const log: string[] = [];
  let crashed = false;
  const wrap = <T extends object>(name: string, target: T): T =>
    new Proxy(target, {
      get: (object, property, receiver) => {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const call = `${name}.${String(property)}`;
          const index = log.push(call) - 1;
          crashed ||=
            typeof crashAt === 'number'
              ? index >= crashAt
              : call === crashAt[0] && log.filter((c) => c === call).length === crashAt[1];
          if (crashed) return Promise.reject(new Error('crash'));
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  const stores = Object.fromEntries(STORES.map((s) => [s, wrap(s, ports[s])])) as Pick<
    FakePorts,
    (typeof STORES)[number]
  >;
  return { log, ports: { ...ports, ...stores } };
}

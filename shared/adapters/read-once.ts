/**
 * One notify message's reads, each made at most once: the order-confirmation message runs two use
 * cases over the same order (the confirmation email, then the consent-confirmation check), and
 * both read the order, its personal record (with its key-table secret) and the address's
 * suppression. Within one message those are the same reads a few milliseconds apart; sharing them
 * saves four DynamoDB requests per order and changes nothing either use case decides on (each
 * still makes its own conditional claim before sending, which is what keeps an email single).
 *
 * Only reads are shared, and only for one message: writes go straight to the wrapped store, and
 * a new wrapper is made per message so nothing is cached across messages or orders.
 */
import type { ConsentStore, OrderStore } from '../ports.js';

function once<A extends unknown[], R>(read: (...args: A) => Promise<R>, key: (...args: A) => string) {
  const seen = new Map<string, Promise<R>>();
  return (...args: A): Promise<R> => {
    const k = key(...args);
    let result = seen.get(k);
    if (!result) {
      result = read(...args);
      // A failed read is not remembered: the next caller reads again.
      result.catch(() => seen.delete(k));
      seen.set(k, result);
    }
    return result;
  };
}

/** `orders` with `getOrder` and `getPersonal` read once per order id (prototype delegation). */
export function readOnceOrders<T extends Pick<OrderStore, 'getOrder' | 'getPersonal'>>(orders: T): T {
  return Object.assign(Object.create(orders) as T, {
    getOrder: once(
      (orderId: string) => orders.getOrder(orderId),
      (orderId) => orderId,
    ),
    getPersonal: once(
      (orderId: string, now: Date) => orders.getPersonal(orderId, now),
      (orderId) => orderId,
    ),
  });
}

/** `consent` with `getSuppression` and `getCustomer` read once per email key. */
export function readOnceConsent<T extends Pick<ConsentStore, 'getCustomer' | 'getSuppression'>>(
  consent: T,
): T {
  return Object.assign(Object.create(consent) as T, {
    getCustomer: once(
      (emailKey: string) => consent.getCustomer(emailKey),
      (emailKey) => emailKey,
    ),
    getSuppression: once(
      (emailKey: string) => consent.getSuppression(emailKey),
      (emailKey) => emailKey,
    ),
  });
}

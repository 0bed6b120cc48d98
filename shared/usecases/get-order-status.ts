import { OrderNotFoundError } from '../domain/errors.js';
import { isOrderId } from '../domain/ids.js';
import type { DeliveryState, OrderStatus } from '../domain/order.js';
import type { OrderStore } from '../ports.js';

export interface OrderStatusView {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly trackingNumber: string | null;
  readonly deliveries: ReadonlyArray<{ readonly partner: string; readonly state: DeliveryState }>;
}

/** Order status for the checkout frontend: no personal data, ever. */
export async function getOrderStatus(
  deps: {
    readonly orders: Pick<OrderStore, 'getOrder'>;
    readonly partners: ReadonlyArray<{ readonly id: string }>;
  },
  orderId: string,
): Promise<OrderStatusView> {
  if (!isOrderId(orderId)) throw new OrderNotFoundError();
  const order = await deps.orders.getOrder(orderId);
  if (!order) throw new OrderNotFoundError();
  const partnerIds = [...new Set([...deps.partners.map((p) => p.id), ...Object.keys(order.deliveries)])];
  return {
    orderId: order.orderId,
    status: order.status,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    trackingNumber: order.trackingNumber,
    deliveries: partnerIds
      .filter((id) => order.deliveries[id])
      .map((id) => ({ partner: id, state: order.deliveries[id]?.state ?? 'pending' })),
  };
}

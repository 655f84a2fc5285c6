import DataLoader from "dataloader";
import type { OrderItemRecord, OrderRecord, OrdersRepository } from "./repository.ts";

export interface OrdersLoaders {
  /** Raw rows: the service decides who may see them. */
  orderById: DataLoader<string, OrderRecord | null>;
  /** The lines of every order in a request, in one statement. */
  itemsByOrderId: DataLoader<string, OrderItemRecord[]>;
}

/** Created per request, so nothing cached outlives the request (or the caller) that loaded it. */
export function createOrdersLoaders(repository: OrdersRepository): OrdersLoaders {
  return {
    orderById: new DataLoader(async (ids) => {
      // Only UUIDs can match; anything else (a forged entity reference) is simply not found, not a SQL error.
      const valid = ids.filter(isUuid);
      const orders = valid.length > 0 ? await repository.findManyByIds(valid) : [];
      const byId = new Map(orders.map((order) => [order.id, order]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    itemsByOrderId: new DataLoader(async (orderIds) => {
      const valid = orderIds.filter(isUuid);
      const items = valid.length > 0 ? await repository.findItemsByOrderIds(valid) : [];
      const byOrder = new Map<string, OrderItemRecord[]>();
      for (const item of items) {
        const list = byOrder.get(item.orderId);
        if (list) list.push(item);
        else byOrder.set(item.orderId, [item]);
      }
      return orderIds.map((id) => byOrder.get(id) ?? []);
    }),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

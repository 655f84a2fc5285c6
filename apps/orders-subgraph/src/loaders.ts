import type DataLoader from "dataloader";
import { byKeyLoader, groupedByKeyLoader, isUuid } from "@monograph/platform";
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
    orderById: byKeyLoader((ids) => repository.findManyByIds(ids), (order) => order.id, { accepts: isUuid }),
    itemsByOrderId: groupedByKeyLoader((orderIds) => repository.findItemsByOrderIds(orderIds), (item) => item.orderId, { accepts: isUuid }),
  };
}

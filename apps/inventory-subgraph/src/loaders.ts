import type DataLoader from "dataloader";
import { byKeyLoader } from "@monograph/platform";
import type { InventoryRepository, ProductRecord } from "./repository.ts";
import { isSku } from "./rules.ts";

export interface InventoryLoaders {
  /** Every product a request asks for by SKU (Product references from other subgraphs, `product(sku)`): one statement. */
  productBySku: DataLoader<string, ProductRecord | null>;
}

/** Created per request, so a cached product (its stock) never outlives the request that loaded it. */
export function createInventoryLoaders(repository: InventoryRepository): InventoryLoaders {
  return {
    // Only well-formed SKUs can match; anything else (a forged entity reference) is not found without a query.
    productBySku: byKeyLoader((skus) => repository.findManyBySkus(skus), (product) => product.sku, { accepts: isSku }),
  };
}

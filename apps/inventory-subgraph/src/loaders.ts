import DataLoader from "dataloader";
import type { InventoryRepository, ProductRecord } from "./repository.ts";
import { isSku } from "./rules.ts";

export interface InventoryLoaders {
  /** Every product a request asks for by SKU (Product references from other subgraphs, `product(sku)`): one statement. */
  productBySku: DataLoader<string, ProductRecord | null>;
}

/** Created per request, so a cached product (its stock) never outlives the request that loaded it. */
export function createInventoryLoaders(repository: InventoryRepository): InventoryLoaders {
  return {
    productBySku: new DataLoader(async (skus) => {
      // Only well-formed SKUs can match; anything else (a forged entity reference) is not found without a query.
      const valid = skus.filter(isSku);
      const products = valid.length > 0 ? await repository.findManyBySkus(valid) : [];
      const bySku = new Map(products.map((product) => [product.sku, product]));
      return skus.map((sku) => bySku.get(sku) ?? null);
    }),
  };
}

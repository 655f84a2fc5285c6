import { DateTimeScalar, type Resolvers } from "@monograph/platform";
import type { InventoryContext } from "./index.ts";
import type { CreateProductInput, ProductsArgs, UpdateProductInput } from "./service.ts";

/** Thin by design: arguments in, one service call, result out. The rules live in service.ts. */
export const resolvers: Resolvers<InventoryContext> = {
  DateTime: DateTimeScalar,
  Query: {
    products: (_: unknown, args: ProductsArgs, ctx: InventoryContext) => ctx.inventory.products(args),
    product: (_: unknown, args: { sku: string }, ctx: InventoryContext) => ctx.inventory.product(args.sku, ctx.loaders),
  },
  Mutation: {
    createProduct: (_: unknown, args: { input: CreateProductInput }, ctx: InventoryContext) => ctx.inventory.createProduct(ctx.caller, args.input),
    updateProduct: (_: unknown, args: { sku: string; input: UpdateProductInput }, ctx: InventoryContext) =>
      ctx.inventory.updateProduct(ctx.caller, args.sku, args.input),
    adjustStock: (_: unknown, args: { sku: string; delta: number }, ctx: InventoryContext) => ctx.inventory.adjustStock(ctx.caller, args.sku, args.delta),
  },
  Product: {
    __resolveReference: (reference: { sku: string }, ctx: InventoryContext) => ctx.inventory.resolveReference(reference.sku, ctx.loaders),
  },
};

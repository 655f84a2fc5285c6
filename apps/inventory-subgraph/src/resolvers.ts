import { DateTimeScalar } from "@monograph/platform";
import type { Resolvers } from "./generated/resolvers-types.ts";

/**
 * Thin by design: arguments in, one service call, result out. The rules live in service.ts. Argument, parent and
 * result types come from src/schema.graphql (src/generated/resolvers-types.ts, `npm run codegen`).
 */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    products: (_, args, ctx) => ctx.inventory.products(args),
    product: (_, args, ctx) => ctx.inventory.product(args.sku, ctx.loaders),
  },
  Mutation: {
    createProduct: (_, args, ctx) => ctx.inventory.createProduct(ctx.caller, args.input),
    updateProduct: (_, args, ctx) => ctx.inventory.updateProduct(ctx.caller, args.sku, args.input),
    adjustStock: (_, args, ctx) => ctx.inventory.adjustStock(ctx.caller, args.sku, args.delta),
  },
  Product: {
    __resolveReference: (reference, ctx) => ctx.inventory.resolveReference(reference.sku, ctx.loaders),
  },
};

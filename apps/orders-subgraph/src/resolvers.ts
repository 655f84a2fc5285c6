import { DateTimeScalar } from "@monograph/platform";
import type { Resolvers } from "./generated/resolvers-types.ts";

/**
 * Thin by design: arguments in, one service call, result out. The rules live in service.ts. Argument, parent and
 * result types come from src/schema.graphql (src/generated/resolvers-types.ts, `npm run codegen`).
 */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    order: (_, args, ctx) => ctx.orders.order(ctx.caller, args.id, ctx.loaders),
    orders: (_, args, ctx) => ctx.orders.allOrders(ctx.caller, args),
  },
  Mutation: {
    createOrder: (_, args, ctx) => ctx.orders.createOrder(ctx.caller, args.input, ctx.request),
    cancelOrder: (_, args, ctx) => ctx.orders.cancelOrder(ctx.caller, args.id),
  },
  Order: {
    __resolveReference: (reference, ctx) => ctx.orders.resolveReference(ctx.caller, reference.id, ctx.loaders),
    items: (order, _args, ctx) => ctx.orders.items(order, ctx.loaders),
    // A reference the gateway resolves in the users subgraph.
    customer: (order) => ({ __typename: "User", id: order.customerId }),
  },
  OrderItem: {
    // A reference the gateway resolves in the inventory subgraph.
    product: (item) => ({ __typename: "Product", sku: item.sku }),
    lineTotalCents: (item) => item.quantity * item.unitPriceCents,
  },
  OrderConnection: {
    totalCount: (connection) => connection.totalCount(),
  },
  User: {
    // orders holds no user data: the reference itself is all User.orders needs.
    __resolveReference: (reference) => ({ id: reference.id }),
    orders: (user, args, ctx) => ctx.orders.ordersOf(ctx.caller, user.id, args),
  },
};

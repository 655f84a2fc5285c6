import { DateTimeScalar, type Resolvers } from "@monograph/platform";
import type { OrdersContext } from "./index.ts";
import type { OrderItemRecord, OrderRecord } from "./repository.ts";
import type { CreateOrderInput, OrderConnection, PageArgs } from "./service.ts";

type Args = Record<string, never>;

/** Thin by design: arguments in, one service call, result out. The rules live in service.ts. */
export const resolvers: Resolvers<OrdersContext> = {
  DateTime: DateTimeScalar,
  Query: {
    order: (_: unknown, args: { id: string }, ctx: OrdersContext) => ctx.orders.order(ctx.caller, args.id, ctx.loaders),
    orders: (_: unknown, args: PageArgs, ctx: OrdersContext) => ctx.orders.allOrders(ctx.caller, args),
  },
  Mutation: {
    createOrder: (_: unknown, args: { input: CreateOrderInput }, ctx: OrdersContext) => ctx.orders.createOrder(ctx.caller, args.input, ctx.request),
    cancelOrder: (_: unknown, args: { id: string }, ctx: OrdersContext) => ctx.orders.cancelOrder(ctx.caller, args.id),
  },
  Order: {
    __resolveReference: (reference: { id: string }, ctx: OrdersContext) => ctx.orders.resolveReference(ctx.caller, reference.id, ctx.loaders),
    items: (order: OrderRecord, _args: Args, ctx: OrdersContext) => ctx.orders.items(order, ctx.loaders),
    // A reference the gateway resolves in the users subgraph.
    customer: (order: OrderRecord) => ({ __typename: "User", id: order.customerId }),
  },
  OrderItem: {
    product: (item: OrderItemRecord) => ({ __typename: "Product", sku: item.sku }),
    lineTotalCents: (item: OrderItemRecord) => item.quantity * item.unitPriceCents,
  },
  OrderConnection: {
    totalCount: (connection: OrderConnection) => connection.totalCount(),
  },
  User: {
    // orders holds no user data: the reference itself is all User.orders needs.
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    orders: (user: { id: string }, args: PageArgs, ctx: OrdersContext) => ctx.orders.ordersOf(ctx.caller, user.id, args),
  },
};

import { DateTimeScalar } from "@monograph/platform";
import type { Resolvers } from "./generated/resolvers-types.ts";

/**
 * Thin by design: arguments in, one service call, result out. The rules live in service.ts. Argument, parent and
 * result types come from src/schema.graphql (src/generated/resolvers-types.ts, `npm run codegen`).
 */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Mutation: {
    markNotificationRead: (_, args, ctx) => ctx.notifications.markRead(ctx.caller, args.id),
  },
  Notification: {
    __resolveReference: (reference, ctx) => ctx.notifications.resolveReference(ctx.caller, reference.id, ctx.loaders),
    // References the gateway resolves in the orders and billing subgraphs.
    order: (notification) => ({ __typename: "Order", id: notification.orderId }),
    invoice: (notification) => (notification.invoiceId ? { __typename: "Invoice", id: notification.invoiceId } : null),
  },
  NotificationConnection: {
    totalCount: (connection) => connection.totalCount(),
  },
  User: {
    __resolveReference: (reference) => ({ id: reference.id }),
    notifications: (user, args, ctx) => ctx.notifications.notificationsOf(ctx.caller, user.id, args),
  },
};

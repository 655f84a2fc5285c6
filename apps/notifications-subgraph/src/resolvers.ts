import { DateTimeScalar, type Resolvers } from "@monograph/platform";
import type { NotificationsContext } from "./index.ts";
import type { NotificationRecord } from "./repository.ts";
import type { NotificationConnection } from "./service.ts";

/** Thin by design: arguments in, one service call, result out. The rules live in service.ts. */
export const resolvers: Resolvers<NotificationsContext> = {
  DateTime: DateTimeScalar,
  Mutation: {
    markNotificationRead: (_: unknown, args: { id: string }, ctx: NotificationsContext) => ctx.notifications.markRead(ctx.caller, args.id),
  },
  Notification: {
    __resolveReference: (reference: { id: string }, ctx: NotificationsContext) => ctx.notifications.resolveReference(ctx.caller, reference.id, ctx.loaders),
    // References the gateway resolves in the orders and billing subgraphs.
    order: (notification: NotificationRecord) => ({ __typename: "Order", id: notification.orderId }),
    invoice: (notification: NotificationRecord) => (notification.invoiceId ? { __typename: "Invoice", id: notification.invoiceId } : null),
  },
  NotificationConnection: {
    totalCount: (connection: NotificationConnection) => connection.totalCount(),
  },
  User: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    notifications: (user: { id: string }, args: { first?: number | null; after?: string | null; unreadOnly?: boolean | null }, ctx: NotificationsContext) =>
      ctx.notifications.notificationsOf(ctx.caller, user.id, args),
  },
};

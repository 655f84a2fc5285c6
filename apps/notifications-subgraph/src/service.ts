import {
  badUserInput,
  decodeTimeKeyset,
  emptyConnection,
  encodeTimeKeyset,
  forbidden,
  isUuid,
  notFound,
  pageSize,
  toConnection,
  unauthenticated,
  type Caller,
  type Connection,
} from "@monograph/platform";
import type { UserNotificationsArgs } from "./generated/resolvers-types.ts";
import type { NotificationsLoaders } from "./loaders.ts";
import type { NotificationRecord, NotificationsRepository } from "./repository.ts";

/** A page of notifications. `totalCount` costs a COUNT, so it runs only when a client asks for it. */
export type NotificationConnection = Connection<NotificationRecord>;

/**
 * The notifications domain's rules: who sees and marks which. A notification is a personal message: only its
 * customer sees it or marks it read (an admin too sees only their own), and nobody else can tell it exists.
 * Notifications are made by events (events.ts), never by a client.
 */
export class NotificationsService {
  constructor(private readonly repository: NotificationsRepository) {}

  /** `User.notifications`: your own, newest first; anyone else's (and an anonymous caller's) is an empty connection. */
  async notificationsOf(caller: Caller, userId: string, args: UserNotificationsArgs): Promise<NotificationConnection> {
    const size = pageSize(args.first);
    const after = args.after ? decodeTimeKeyset(args.after) : null;
    if (!isOwner(caller, userId)) return emptyConnection();
    const filter = { unreadOnly: args.unreadOnly ?? false };
    const rows = await this.repository.listPage(userId, filter, after, size + 1);
    return toConnection(rows, size, (notification) => encodeTimeKeyset(notification.createdAt, notification.id), () => this.repository.count(userId, filter));
  }

  /**
   * Marks one of your notifications read (again: it keeps the first time). Someone else's reads as NOT_FOUND,
   * exactly as an unknown id; a string that is not an id at all is BAD_USER_INPUT.
   */
  async markRead(caller: Caller, id: string): Promise<NotificationRecord> {
    if (caller.kind === "anonymous") throw unauthenticated();
    if (caller.kind !== "user") throw forbidden("Only a signed-in customer can mark their notifications read.");
    if (!isUuid(id)) throw badUserInput("`id` is not a notification id.", { argument: "id" });
    const notification = await this.repository.markRead(caller.userId, id, new Date());
    if (!notification) throw notFound("No such notification.", { id });
    return notification;
  }

  /** Entity references (Notification): yours, or null; never an error. */
  async resolveReference(caller: Caller, id: string, loaders: NotificationsLoaders): Promise<NotificationRecord | null> {
    if (caller.kind !== "user" || !isUuid(id)) return null;
    const notification = await loaders.notificationById.load(id);
    return notification && isOwner(caller, notification.customerId) ? notification : null;
  }
}

function isOwner(caller: Caller, customerId: string): boolean {
  return caller.kind === "user" && caller.userId === customerId;
}


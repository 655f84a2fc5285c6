import type DataLoader from "dataloader";
import { byKeyLoader, isUuid } from "@monograph/platform";
import type { NotificationRecord, NotificationsRepository } from "./repository.ts";

export interface NotificationsLoaders {
  /** Raw rows (the service decides who may see them): every Notification entity of a request in one statement. */
  notificationById: DataLoader<string, NotificationRecord | null>;
}

/** Created per request, so nothing cached outlives the request (or the caller) that loaded it. */
export function createNotificationsLoaders(repository: NotificationsRepository): NotificationsLoaders {
  return {
    // Only UUIDs can match; anything else is not a notification id, never a SQL error.
    notificationById: byKeyLoader((ids) => repository.findByIds(ids), (notification) => notification.id, { accepts: isUuid }),
  };
}

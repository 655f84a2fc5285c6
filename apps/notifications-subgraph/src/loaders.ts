import DataLoader from "dataloader";
import type { NotificationRecord, NotificationsRepository } from "./repository.ts";

export interface NotificationsLoaders {
  /** Raw rows (the service decides who may see them): every Notification entity of a request in one statement. */
  notificationById: DataLoader<string, NotificationRecord | null>;
}

/** Created per request, so nothing cached outlives the request (or the caller) that loaded it. */
export function createNotificationsLoaders(repository: NotificationsRepository): NotificationsLoaders {
  return {
    notificationById: new DataLoader(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length > 0 ? await repository.findByIds(valid) : [];
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

// Only UUIDs can match; anything else is not a notification id, never a SQL error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

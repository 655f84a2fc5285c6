import DataLoader from "dataloader";
import type { UserRecord, UsersRepository } from "./repository.ts";

export interface UsersLoaders {
  userById: DataLoader<string, UserRecord | null>;
}

/** Created per request, so a cached user never outlives the request that loaded it. */
export function createUsersLoaders(repository: UsersRepository): UsersLoaders {
  return {
    userById: new DataLoader(async (ids) => {
      // Only UUIDs can match; anything else (a forged entity reference) is simply not found, not a SQL error.
      const valid = ids.filter(isUuid);
      const users = valid.length > 0 ? await repository.findManyByIds(valid) : [];
      const byId = new Map(users.map((user) => [user.id, user]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

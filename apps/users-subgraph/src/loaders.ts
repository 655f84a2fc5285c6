import type DataLoader from "dataloader";
import { byKeyLoader, isUuid } from "@monograph/platform";
import type { UserRecord, UsersRepository } from "./repository.ts";

export interface UsersLoaders {
  userById: DataLoader<string, UserRecord | null>;
}

/** Created per request, so a cached user never outlives the request that loaded it. */
export function createUsersLoaders(repository: UsersRepository): UsersLoaders {
  return {
    userById: byKeyLoader((ids) => repository.findManyByIds(ids), (user) => user.id, { accepts: isUuid }),
  };
}

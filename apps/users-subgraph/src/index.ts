import { buildSubgraphFromFile, type SubgraphModule } from "@monograph/platform";
import type { UsersContext } from "./context.ts";
import { createUsersLoaders } from "./loaders.ts";
import { UsersRepository, type UsersDb } from "./repository.ts";
import { resolvers } from "./resolvers.ts";
import { UsersService } from "./service.ts";

export { seedUsers, SEEDED_USERS } from "./seed.ts";
export type { UsersDb } from "./repository.ts";
export type { UsersContext } from "./context.ts";

export interface UsersSubgraphDeps {
  db: UsersDb;
  jwtSecret: string;
  /** Lifetime of an access token (ACCESS_TOKEN_TTL); default 15 minutes. */
  accessTokenTtlSeconds?: number;
  /** Lifetime of a refresh token (REFRESH_TOKEN_TTL); default 30 days. */
  refreshTokenTtlSeconds?: number;
  /** The clock; default the system's (tests move it). */
  now?: () => Date;
}

export const USERS_SDL = new URL("../src/schema.graphql", import.meta.url);

export function createUsersSubgraph(deps: UsersSubgraphDeps): SubgraphModule<UsersContext> {
  const repository = new UsersRepository(deps.db);
  const users = new UsersService(repository, {
    jwtSecret: deps.jwtSecret,
    accessTokenTtlSeconds: deps.accessTokenTtlSeconds ?? 15 * 60,
    refreshTokenTtlSeconds: deps.refreshTokenTtlSeconds ?? 30 * 24 * 60 * 60,
    now: deps.now,
  });
  return {
    name: "users",
    schema: buildSubgraphFromFile(USERS_SDL, resolvers),
    createContext: (caller) => ({ caller, users, loaders: createUsersLoaders(repository) }),
  };
}

// The users domain as the registry loads it (packages/domains): what any composition root needs to run it.
import { defineDomain } from "@monograph/platform";
import { createUsersSubgraph, seedUsers, type UsersDb } from "./index.ts";

export default defineDomain<UsersDb>({
  name: "users",
  seed: (db) => seedUsers(db),
  build: ({ db, settings }) => ({
    subgraph: createUsersSubgraph({
      db,
      jwtSecret: settings.JWT_SECRET,
      accessTokenTtlSeconds: settings.ACCESS_TOKEN_TTL,
      refreshTokenTtlSeconds: settings.REFRESH_TOKEN_TTL,
    }),
  }),
});

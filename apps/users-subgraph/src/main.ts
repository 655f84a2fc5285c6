// Runs the users subgraph alone, as its own HTTP service (hybrid and distributed shapes).
import { runSubgraphProcess } from "@monograph/platform";
import { createUsersSubgraph, seedUsers } from "./index.ts";

await runSubgraphProcess({
  name: "users",
  defaultPort: 4001,
  build: ({ db, config }) => ({
    subgraph: createUsersSubgraph({
      db: db.as("users"),
      jwtSecret: config.JWT_SECRET,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL,
      refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL,
    }),
    seed: () => seedUsers(db.as("users")),
  }),
});

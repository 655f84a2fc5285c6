// `npm run start:distributed`: every subgraph in its own process on its own port, the gateway calling them over HTTP.
import { childLogger, setServiceName, startTracing, stopOnSignals } from "@monograph/platform";
import { loadGatewayConfig, SUBGRAPH_NAMES } from "./env.ts";
import { startDistributed } from "./distributed.ts";

setServiceName("gateway");
await startTracing("gateway");

const config = loadGatewayConfig();
const server = await startDistributed({
  config,
  env: process.env,
  // Without DATABASE_URL each process gets its own embedded database (PGlite serves one process only), in a folder
  // of PGLITE_DATA_DIR (default .data/distributed).
  envFor: (name) => (config.env.DATABASE_URL ? {} : { PGLITE_DATA_DIR: `${config.env.PGLITE_DATA_DIR ?? ".data/distributed"}/${name}` }),
  // PORT=0: every process on a free port (tests), not only the gateway.
  ports: config.port === 0 ? { users: 0, inventory: 0, orders: 0, billing: 0 } : undefined,
});
childLogger("gateway").info(
  { subgraphs: Object.fromEntries(server.subgraphs.map((s) => [s.name, s.url])) },
  `subgraph processes: ${server.subgraphs.map((s) => `${s.name}=${s.url}`).join(", ")} (${SUBGRAPH_NAMES.length})`,
);
stopOnSignals(server);

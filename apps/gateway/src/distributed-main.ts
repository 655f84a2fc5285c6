// `npm run start:distributed`: every subgraph in its own process on its own port, the gateway calling them over HTTP.
import { childLogger, setServiceName, startTracing, stopOnSignals } from "@monograph/platform";
import { loadDistributedPorts, loadGatewayConfig, SUBGRAPH_NAMES } from "./env.ts";
import { startDistributed } from "./distributed.ts";

setServiceName("gateway");
await startTracing("gateway");

const config = loadGatewayConfig();
// <NAME>_PORT (USERS_PORT...) or SUBGRAPH_BASE_PORT, else the registry's ports; PORT=0: every process on a free port
// (tests), not only the gateway. Checked before any process starts.
const ports = loadDistributedPorts();
// METRICS_PORT is the gateway's own: a subgraph process serves /metrics on its port (one METRICS_PORT for every
// process on one machine would collide).
const { METRICS_PORT: _gatewayMetricsPort, ...subgraphEnv } = process.env;
const server = await startDistributed({
  config,
  env: subgraphEnv,
  // Without DATABASE_URL each process gets its own embedded database (PGlite serves one process only), in a folder
  // of PGLITE_DATA_DIR (default .data/distributed).
  envFor: (name) => (config.env.DATABASE_URL ? {} : { PGLITE_DATA_DIR: `${config.env.PGLITE_DATA_DIR ?? ".data/distributed"}/${name}` }),
  ports,
});
childLogger("gateway").info(
  { subgraphs: Object.fromEntries(server.subgraphs.map((s) => [s.name, s.url])) },
  `subgraph processes: ${server.subgraphs.map((s) => `${s.name}=${s.url}`).join(", ")} (${SUBGRAPH_NAMES.length})`,
);
stopOnSignals(server);

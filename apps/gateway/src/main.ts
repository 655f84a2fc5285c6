// `npm start`: the whole API in one process (or fewer, when <NAME>_SUBGRAPH_URL variables move subgraphs out).
import { setServiceName, startTracing, stopOnSignals } from "@monograph/platform";
import { loadGatewayConfig } from "./env.ts";
import { startMonograph } from "./monograph.ts";

setServiceName("gateway");
await startTracing("gateway");

const server = await startMonograph({ config: loadGatewayConfig() });
stopOnSignals(server);
